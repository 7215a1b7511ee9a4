package io.inception4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.Supplier;

/**
 * An exponential moving average of all parameters (train.ema), as TensorFlow's
 * {@code ExponentialMovingAverage(decay, num_updates=global_step)} with which the Inception papers evaluate:
 * after update number {@code step}, {@code average = d * average + (1 - d) * params} with
 * {@code d = min(decay, (1 + step) / (10 + step))}, so that a short run is not dominated by its random start.
 * DL4J keeps batch norm's running mean and variance among the parameters; they are averaged too (TF-slim
 * averages the moving statistics as well). Validation, test and export use the average; training and
 * resuming use the raw parameters, and both are saved in every checkpoint.
 */
public final class WeightAverage {
    private final double decay;
    private final INDArray average;

    private WeightAverage(double decay, INDArray average) {
        if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
        this.decay = decay;
        this.average = average;
    }

    /** Starts the average at the current parameters. */
    public static WeightAverage start(double decay, INDArray params) {
        return restore(decay, params);
    }

    /** Continues from a saved average. */
    public static WeightAverage restore(double decay, INDArray saved) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new WeightAverage(decay, saved.dup().reshape(saved.length()));
        }
    }

    /** The decay used at update number {@code step} (1 for the first update). */
    public double effectiveDecay(long step) {
        return Math.min(decay, (1.0 + step) / (10.0 + step));
    }

    /** Folds in the parameters after update number {@code step}. */
    public void update(INDArray params, long step) {
        double d = effectiveDecay(step);
        INDArray p = params.reshape(params.length());
        average.muli(d);
        Nd4j.getBlasWrapper().level1().axpy(p.length(), 1 - d, p, average); // in place: no copy of the parameters
    }

    public INDArray average() {
        return average;
    }

    /** Runs {@code body} with the graph's parameters set to the average, then puts the raw ones back. */
    public <T> T withAverage(ComputationGraph graph, Supplier<T> body) {
        INDArray raw;
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            raw = graph.params().dup();
        }
        graph.params().assign(average.reshape(graph.params().shape()));
        try {
            return body.get();
        } finally {
            graph.params().assign(raw);
        }
    }
}
