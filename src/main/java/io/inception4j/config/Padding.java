package io.inception4j.config;

/**
 * How a convolution or pooling window treats the border: {@code same} pads so that the output is
 * ceil(input / stride) (TensorFlow's "SAME", Caffe's symmetric pads at the sizes the papers use);
 * {@code valid} does not pad (TensorFlow's "VALID").
 */
public enum Padding { SAME, VALID }
