/**
 * Using a trained model: the self-contained inference bundle (network without aux heads, labels,
 * preprocessing, provenance, checksums) and {@link io.inception4j.inference.Classifier}, a small
 * thread-safe Java API to classify images with it. Needs no configs directory.
 */
package io.inception4j.inference;
