/**
 * Measurements, not tests: training and inference throughput, peak memory, the data pipeline's own
 * throughput, and achieved GFLOP/s against the CPU's peak, written as JSON under {@code results/bench/}.
 */
package io.inception4j.bench;
