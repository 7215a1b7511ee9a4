/**
 * Writing files whole or not at all ({@link io.inception4j.files.AtomicFiles}), for every layer: a run directory
 * is read while it is written (the run page, the UI, a resume after kill -9), so no reader may ever meet half a
 * file. Depends on nothing else in the project.
 */
package io.inception4j.files;
