package io.inception4j.ui;

import io.inception4j.train.RunDirectory;
import io.inception4j.train.TrainingObserver;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Feeds a run to the training UI: DL4J's {@code StatsListener} writes the run's statistics every
 * {@code frequency} iterations into {@code ui-stats.bin} in the run directory (a {@code FileStatsStorage}),
 * which the UI server shows live and {@code inception4j ui} replays later. A resumed run appends to it.
 */
public final class LiveStats implements TrainingObserver {
    private static final Logger log = LoggerFactory.getLogger(LiveStats.class);
    /** The stats file in each run directory. */
    public static final String FILE = "ui-stats.bin";

    private final UiServer server;
    private final int frequency;

    /** @param frequency report every this many iterations (the listener's cost falls with it) */
    public LiveStats(UiServer server, int frequency) {
        if (frequency < 1) throw new IllegalArgumentException("UI frequency must be at least 1 iteration, got " + frequency);
        this.server = server;
        this.frequency = frequency;
    }

    public static Path statsFile(Path runDir) {
        return runDir.resolve(FILE);
    }

    @Override
    public void starting(ComputationGraph graph, RunDirectory run) {
        FileStatsStorage storage = new FileStatsStorage(statsFile(run.dir()).toFile());
        server.attach(storage);
        graph.addListeners(new StatsListener(storage, frequency));
        log.info("training UI: {} (run {}; statistics every {} iterations into {})", server.url(), run.dir().getFileName(),
                frequency, FILE);
    }
}
