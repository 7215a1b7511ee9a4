/**
 * Files for every layer. Writing them whole or not at all ({@link io.inception4j.files.AtomicFiles}): a run
 * directory is read while it is written (the run page, the UI, a resume after kill -9), so no reader may ever
 * meet half a file. Reading text files only up to a size ({@link io.inception4j.files.BoundedFiles}): label
 * lists and tables may come from strangers. Depends on nothing else in the project.
 */
package io.inception4j.files;
