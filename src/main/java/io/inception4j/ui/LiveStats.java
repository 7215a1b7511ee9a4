package io.inception4j.ui;

import io.inception4j.config.ConfigException;
import io.inception4j.train.RunDirectory;
import io.inception4j.train.TrainingObserver;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsUpdateConfiguration;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsUpdateConfiguration;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Feeds a run to the training UI: DL4J's {@code StatsListener} writes the run's statistics of the first, every
 * {@code frequency}-th and the last iteration ({@link SampledIterations}) into {@code ui-stats.bin} in the run directory (a {@code FileStatsStorage}),
 * which the UI server shows live and {@code inception4j ui} replays later. A resumed run appends to it.
 */
public final class LiveStats implements TrainingObserver {
    private static final Logger log = LoggerFactory.getLogger(LiveStats.class);
    /** The stats file in each run directory. */
    public static final String FILE = "ui-stats.bin";

    private final UiServer server;
    private final int frequency;
    private SampledIterations recording;

    /** @param frequency report every this many iterations (the listener's cost falls with it) */
    public LiveStats(UiServer server, int frequency) {
        if (frequency < 1) throw new IllegalArgumentException("UI frequency must be at least 1 iteration, got " + frequency);
        this.server = server;
        this.frequency = frequency;
    }

    /**
     * What the UI's pages draw, and nothing more: a report with every statistic of every layer cost about a
     * second for GoogLeNet (thousands of small reductions), 9-14% of a 17-flowers epoch at one report every 10
     * iterations. Gradient and activation histograms and gradient means are not drawn by any page; parameter and
     * update histograms, mean magnitudes (the update:parameter ratios) and standard deviations are.
     */
    static StatsUpdateConfiguration statistics() {
        // Every iteration it is shown: SampledIterations chooses which.
        return new DefaultStatsUpdateConfiguration.Builder().reportingFrequency(1)
                .collectHistogramsGradients(false).collectHistogramsActivations(false)
                .collectMeanGradients(false).collectMeanMagnitudesGradients(false).collectMeanMagnitudesActivations(false)
                .build();
    }

    public static Path statsFile(Path runDir) {
        return runDir.resolve(FILE);
    }

    /**
     * The run's stats file, opened (created when missing). A damaged one is one clear error: MapDB, under
     * FileStatsStorage, throws its own exceptions (DBException.WrongFormat for a file that is not its own).
     */
    public static FileStatsStorage open(Path runDir) {
        Path file = statsFile(runDir);
        try {
            return new FileStatsStorage(file.toFile());
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": not a readable UI statistics file (" + e.getMessage()
                    + "); move it aside to start a new one");
        }
    }

    @Override
    public void starting(ComputationGraph graph, RunDirectory run) {
        FileStatsStorage storage = open(run.dir());
        server.attach(storage);
        recording = new SampledIterations(new Guarded(new StatsListener(storage, null, statistics(), null, null)), frequency);
        graph.addListeners(recording);
        log.info("training UI: {} (run {}; statistics of the first, every {}th and the last iteration into {})", server.url(),
                run.dir().getFileName(), frequency, FILE);
    }

    @Override
    public void finished(RunDirectory run) {
        if (recording != null) recording.finish();
        recording = null;
    }
}
