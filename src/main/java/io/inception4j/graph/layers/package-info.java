/**
 * Our own DL4J layers: drop-in replacements for stock DL4J layers whose training path is slow or wrong on
 * CPU, selected by {@code train.fast_paths} (one by one: {@link io.inception4j.graph.FastPath}); what NHWC
 * networks need around them ({@link io.inception4j.graph.layers.ChannelsLast} at the input,
 * {@link io.inception4j.graph.layers.ChannelsFirstFlatten} before dense layers,
 * {@link io.inception4j.graph.layers.ChannelConcat}); {@link io.inception4j.graph.layers.BatchNormFolding}
 * for inference; and the calls into oneDNN 2.5 (OneDnn and the OneDnn* classes beside it) that the NHWC layers
 * make where libnd4j's own oneDNN is slower.
 *
 * <p>Each is a subclass of the stock layer's configuration, so shapes, summaries and the rest of DL4J see the
 * layer they know; it differs only in {@code instantiate}, which returns our implementation. DL4J serialises
 * layer configurations with their class name, so saved models and bundles load them back (with this jar).
 * Tests hold each one to the stock layer's outputs and to a numerical gradient.
 */
package io.inception4j.graph.layers;
