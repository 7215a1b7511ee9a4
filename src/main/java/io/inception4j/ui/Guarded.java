package io.inception4j.ui;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Runs a watching listener so that its failure never stops training: the first exception is logged and the
 * listener is switched off. The case that needs it: on SIGTERM, MapDB's own shutdown hook closes the UI's
 * stats file while the trainer is still finishing its last batch and writing the stop checkpoint, and the
 * StatsListener's next write failed ("Stream Closed") inside {@code fit}.
 */
final class Guarded implements TrainingListener {
    private static final Logger log = LoggerFactory.getLogger(Guarded.class);

    private final TrainingListener inner;
    private volatile boolean failed;

    Guarded(TrainingListener inner) {
        this.inner = inner;
    }

    boolean failed() {
        return failed;
    }

    private void run(Runnable call) {
        if (failed) return;
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            failed = true;
            log.warn("training UI statistics stopped (training goes on): {}", String.valueOf(e));
        }
    }

    @Override public void iterationDone(Model model, int iteration, int epoch) { run(() -> inner.iterationDone(model, iteration, epoch)); }
    @Override public void onEpochStart(Model model) { run(() -> inner.onEpochStart(model)); }
    @Override public void onEpochEnd(Model model) { run(() -> inner.onEpochEnd(model)); }
    @Override public void onForwardPass(Model model, List<INDArray> activations) { run(() -> inner.onForwardPass(model, activations)); }
    @Override public void onForwardPass(Model model, Map<String, INDArray> activations) { run(() -> inner.onForwardPass(model, activations)); }
    @Override public void onGradientCalculation(Model model) { run(() -> inner.onGradientCalculation(model)); }
    @Override public void onBackwardPass(Model model) { run(() -> inner.onBackwardPass(model)); }
}
