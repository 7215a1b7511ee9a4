/**
 * Images in, batches out, on DataVec: finding (or downloading) a dataset, labelling its files, seeded
 * stratified splits, decoding each image once into a memory cache, GoogLeNet-style augmentation and the
 * reference recipes' (RandAugment, TrivialAugment, random erasing, mixup and CutMix with soft labels), the
 * papers' multi-crop geometry for evaluation ({@link io.inception4j.data.Crops}), and an asynchronous
 * {@code MultiDataSetIterator} that feeds every output head of a graph. Knows nothing of graphs.
 */
package io.inception4j.data;
