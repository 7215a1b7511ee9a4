package io.inception4j.config;

/**
 * Weight initialisations: {@code xavier} is Caffe's xavier filler as bvlc_googlenet uses it (variance
 * 1/fan_in); {@code glorot} is Glorot and Bengio's 2/(fan_in + fan_out); {@code he} is 2/fan_in for ReLU
 * networks; {@code truncated_normal} scales by fan-in as TF-slim's variance-scaling initialiser.
 */
public enum WeightInit { XAVIER, GLOROT, XAVIER_UNIFORM, HE, HE_UNIFORM, TRUNCATED_NORMAL }
