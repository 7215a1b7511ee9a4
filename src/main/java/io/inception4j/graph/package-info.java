/**
 * From a {@link io.inception4j.config.ModelConfig} to a DL4J {@code ComputationGraph}.
 *
 * <p>{@link io.inception4j.graph.GraphFactory} walks the blocks in build order; each block type is one
 * small class in {@link io.inception4j.graph.blocks}, listed in {@link io.inception4j.graph.BlockRegistry}.
 * A block receives its input {@link io.inception4j.graph.Node}s and returns its output node; the
 * {@link io.inception4j.graph.BlockContext} adds layers and tracks every vertex's shape as it goes, so no
 * input width is ever written by hand and a shape that cannot work is reported at the block that caused it.
 * {@link io.inception4j.graph.ModelSummary} tabulates what was built.
 */
package io.inception4j.graph;
