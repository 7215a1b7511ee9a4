/**
 * Training on several devices of one machine with DL4J's ParallelWrapper ({@code train --workers N}): an
 * {@link io.inception4j.train.EpochFitter} the trainer hands each epoch to. On CPU each worker is a thread
 * with its own copy of the network; with the CUDA backend each worker gets a GPU. Sits on top of
 * {@code train}; the single-process trainer knows nothing of it.
 */
package io.inception4j.parallel;
