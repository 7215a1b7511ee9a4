/**
 * Serving bundles over HTTP ({@code inception4j serve}): a Jetty 12 core server on a loopback address unless
 * told otherwise, one {@link io.inception4j.serve.ModelWorker} per bundle that batches the requests that arrive
 * together into one network call behind a bounded queue, limits on everything a client controls (body size,
 * pixels, upload time, request time), Prometheus metrics and graceful shutdown. Sits on
 * {@link io.inception4j.inference}: it serves what {@code predict} computes, and the command line starts it.
 */
package io.inception4j.serve;
