package io.inception4j.config;

/** Weight initialisations: {@code xavier} (Glorot uniform-ish, as Caffe's GoogLeNet), {@code he} (ReLU nets). */
public enum WeightInit { XAVIER, XAVIER_UNIFORM, HE, HE_UNIFORM, TRUNCATED_NORMAL }
