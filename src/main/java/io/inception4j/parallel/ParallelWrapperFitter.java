package io.inception4j.parallel;

import io.inception4j.config.ConfigException;
import io.inception4j.config.TrainConfig;
import io.inception4j.data.BatchIterator;
import io.inception4j.train.EpochFitter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.AsyncMultiDataSetIterator;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fits each epoch with DL4J's {@link ParallelWrapper}: {@code workers} copies of the network, each fed its own
 * batches, combined by train.distributed.mode: parameter averaging every {@code averaging_frequency} batches
 * (and the updater state with them), or shared threshold-encoded gradients after every batch.
 *
 * <p>Worker 0 trains the trainer's own network (DL4J's DefaultTrainer does so), so after an epoch it holds the
 * result; the other copies are rebuilt from it each epoch. The network's listeners (the global gradient
 * clipping, the live UI's statistics) are given to every worker.
 */
public final class ParallelWrapperFitter implements EpochFitter {
    private final int workers;
    private ComputationGraph graph;
    private TrainConfig.Distributed settings;

    public ParallelWrapperFitter(int workers) {
        if (workers < 1) throw new ConfigException("--workers: expected at least 1, got " + workers);
        this.workers = workers;
    }

    @Override
    public void start(Setup setup) {
        this.graph = setup.graph();
        this.settings = setup.experiment().train().config().distributed();
    }

    @Override
    public Report fitEpoch(BatchIterator train, int epoch) {
        LossTally tally = new LossTally();
        List<TrainingListener> own = new ArrayList<>(graph.getListeners());
        List<TrainingListener> all = new ArrayList<>(own);
        all.add(tally);
        ParallelWrapper.Builder<ComputationGraph> b = new ParallelWrapper.Builder<>(graph)
                .workers(workers)
                .prefetchBuffer(0) // we prefetch ourselves, below
                .workspaceMode(graph.getConfiguration().getTrainingWorkspaceMode());
        if (settings.mode() == TrainConfig.Distributed.Mode.SHARED_GRADIENTS) {
            b.trainingMode(ParallelWrapper.TrainingMode.SHARED_GRADIENTS)
                    .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(settings.threshold()));
        } else {
            b.trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                    .averagingFrequency(settings.averagingFrequency())
                    .averageUpdaters(true)
                    .reportScoreAfterAveraging(false);
        }
        ParallelWrapper wrapper = b.build();
        wrapper.setListeners(all);
        // The wrapper's own prefetching puts batches in a workspace that it reuses in turn, while the batches
        // handed to the workers are still being trained on: they were overwritten, and the network learnt
        // nothing (loss flat from the second epoch, validation at chance). Batches in ordinary memory instead,
        // as the trainer's own loop does.
        AsyncMultiDataSetIterator prefetch = new AsyncMultiDataSetIterator(train, Math.max(2, settings.prefetch() * workers), false);
        try {
            wrapper.fit(prefetch); // ends with wrapper.close(): its threads stop after every epoch
        } finally {
            prefetch.shutdown();
            graph.setListeners(own); // the wrapper gave worker 0, our network, the list with the tally
        }
        return new Report(tally.mean(), (int) tally.batches.sum(), tally.images.sum());
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "ParallelWrapper, %d workers, %s", workers,
                settings == null ? "not started" : settings.mode() == TrainConfig.Distributed.Mode.SHARED_GRADIENTS
                        ? "shared gradients (threshold " + settings.threshold() + ")"
                        : "parameter averaging every " + settings.averagingFrequency() + " batches");
    }

    @Override
    public void close() {
        // Nothing stays running between epochs.
    }

    /** The loss of every batch any worker fitted (listeners are shared between the workers' copies). */
    private static final class LossTally extends BaseTrainingListener {
        final DoubleAdder loss = new DoubleAdder();
        final LongAdder batches = new LongAdder();
        final LongAdder images = new LongAdder();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            loss.add(model.score());
            batches.increment();
            images.add(model.batchSize());
        }

        double mean() {
            long n = batches.sum();
            return n == 0 ? Double.NaN : loss.sum() / n;
        }
    }
}
