package io.inception4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Something that watches a training run from outside the trainer (the live UI, for one): told when the
 * network is ready, so it can attach DL4J listeners, and when the run ends.
 */
public interface TrainingObserver {
    /** The network is built or restored and about to train in {@code run}. */
    void starting(ComputationGraph graph, RunDirectory run);

    /** The run has ended (completed, stopped, interrupted or failed). */
    default void finished(RunDirectory run) {}
}
