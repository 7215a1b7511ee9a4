package io.inception4j.train;

import io.inception4j.config.Experiment;
import io.inception4j.data.BatchIterator;
import io.inception4j.data.Dataset;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Fits whole epochs on several workers in place of the trainer's own batch-by-batch loop: DL4J's
 * ParallelWrapper threads ({@code io.inception4j.parallel}) or Spark executors ({@code io.inception4j.spark}).
 * Those packages sit on top of this one; the trainer only hands them each epoch's batches and keeps doing
 * everything else (validation, metrics, checkpoints, resume, the test report) as for any run.
 *
 * <p>What a whole-epoch engine cannot do, it refuses in {@link #start}: per-batch work such as the weights'
 * moving average (train.ema). A stop request (Ctrl-C) takes effect at the end of the epoch under way.
 */
public interface EpochFitter extends AutoCloseable {
    /** What a fitter gets before the first epoch. */
    record Setup(Experiment experiment, Dataset data, RunDirectory run, ComputationGraph graph, int outputs) {}

    /** One epoch's training: the mean loss the workers reported, batches and images fitted. */
    record Report(double loss, int batches, long images) {}

    /** Checks the recipe and connects to the workers; throws a ConfigException for what it cannot do. */
    void start(Setup setup);

    /**
     * Fits the rest of the epoch {@code train} is positioned in (all of it, unless resumed mid-epoch).
     * Afterwards the setup's graph holds the trained parameters and updater state.
     */
    Report fitEpoch(BatchIterator train, int epoch);

    /** For the log and provenance, e.g. "ParallelWrapper, 2 workers, parameter averaging every 5 batches". */
    String describe();

    /** Stops the workers; the graph stays usable. */
    @Override
    void close();
}
