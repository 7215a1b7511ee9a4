package io.inception4j.config;

/** Activation functions a block may name. */
public enum Activation { RELU, RELU6, LINEAR, TANH, SIGMOID, SWISH, ELU }
