/**
 * Reading the zip files that strangers hand us (bundles, checkpoints, and PyTorch checkpoints to import)
 * without trusting them: entries are streamed, each against a size limit taken from what the format needs
 * (a network's parameter count times four bytes, a few megabytes of configuration), with SHA-256 computed on
 * the way and the compression ratio watched, so a zip bomb or a lying header is refused in bounded time and
 * memory with one clear error ({@link io.inception4j.config.ConfigException}). No Java object is ever
 * deserialised. Used by {@link io.inception4j.train} and {@link io.inception4j.inference}.
 */
package io.inception4j.archive;
