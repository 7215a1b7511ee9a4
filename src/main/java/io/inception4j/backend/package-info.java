/**
 * The ND4J backend: which one is loaded (CPU native or CUDA), which native build, and the switches that
 * make it fast (oneDNN layer helpers on CPU). Called once before any graph is built.
 */
package io.inception4j.backend;
