package io.inception4j.config;

/**
 * How a network holds its image activations in memory ({@code model.layout}): {@code nchw}, channel planes one
 * after another (DL4J's default), or {@code nhwc}, a pixel's channels side by side (PyTorch's channels_last,
 * oneDNN's preferred layout on CPU). Only the inside of the network changes: its input stays NCHW, its
 * parameters, checkpoints and outputs are the same in both, so a run can be resumed or fine-tuned in the other.
 */
public enum TensorLayout { NCHW, NHWC }
