/**
 * Training and evaluation: the recipe (optimiser, schedule) in DL4J terms, the epoch loop, run directories,
 * metrics, atomic checkpoints with exact resume, and the evaluation report. Uses config, graph and data.
 */
package io.inception4j.train;
