package io.inception4j.ui;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Chooses the iterations a StatsListener (set to record every iteration it is shown) records: the first of the
 * run, every {@code frequency}-th, and, when the run ends, the last. DL4J's own reporting frequency records
 * only the multiples of the frequency, so a run shorter than it (two 17-flowers epochs at batch 32 are 42
 * iterations, the default frequency 50) left the UI an empty page: no score, no parameters.
 *
 * <p>The statistics that need the forward and backward passes are gathered only in iterations that will be
 * recorded, as DL4J's frequency does; the closing record of the last iteration has the score, parameters and
 * updates, not activations.
 */
final class SampledIterations implements TrainingListener {
    private final TrainingListener stats;
    private final int frequency;
    private ComputationGraph graph;
    private int lastRecorded = -1, lastSeen = -1, lastEpoch;

    SampledIterations(TrainingListener stats, int frequency) {
        this.stats = stats;
        this.frequency = frequency;
    }

    private boolean recorded(int iteration) {
        return lastRecorded < 0 || iteration % frequency == 0;
    }

    private boolean recordingNow(Model model) {
        return model instanceof ComputationGraph g && recorded(g.getIterationCount());
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (model instanceof ComputationGraph g) graph = g;
        lastSeen = iteration;
        lastEpoch = epoch;
        if (!recorded(iteration)) return;
        lastRecorded = iteration;
        stats.iterationDone(model, iteration, epoch);
    }

    /** The run has ended: records its last iteration if the frequency skipped it. */
    void finish() {
        if (graph != null && lastSeen > lastRecorded) {
            lastRecorded = lastSeen;
            stats.iterationDone(graph, lastSeen, lastEpoch);
        }
    }

    @Override public void onEpochStart(Model model) { stats.onEpochStart(model); }
    @Override public void onEpochEnd(Model model) { stats.onEpochEnd(model); }
    @Override public void onForwardPass(Model model, List<INDArray> activations) {
        if (recordingNow(model)) stats.onForwardPass(model, activations);
    }
    @Override public void onForwardPass(Model model, Map<String, INDArray> activations) {
        if (recordingNow(model)) stats.onForwardPass(model, activations);
    }
    @Override public void onGradientCalculation(Model model) {
        if (recordingNow(model)) stats.onGradientCalculation(model);
    }
    @Override public void onBackwardPass(Model model) {
        if (recordingNow(model)) stats.onBackwardPass(model);
    }
}
