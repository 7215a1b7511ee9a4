/**
 * Using a trained model: the self-contained inference bundle (network without aux heads, labels,
 * preprocessing, provenance, checksums) and {@link io.inception4j.inference.Classifier}, a small
 * thread-safe Java API to classify images with it, on one centre crop or averaged over 10 or 144
 * ({@link io.inception4j.inference.MultiCrop}). Needs no configs directory.
 */
package io.inception4j.inference;
