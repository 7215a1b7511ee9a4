package io.inception4j.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Clips the gradient of the whole network to a global L2 norm (train.grad_clip_global), as TensorFlow's
 * {@code clip_by_global_norm} with which the Inception v3/v4 papers trained: if ||g|| > c, every gradient is
 * scaled by c / ||g||. DL4J only clips layer by layer, so this runs as a training listener between the
 * backward pass and the updater. At that point DL4J's gradients are sums over the minibatch (the updater
 * divides them by its size later), so the norm is taken of the mean gradient. Batch norm's running
 * statistics travel in the gradient array too, as "updates" the updater does not divide: they are neither
 * counted nor scaled.
 */
public final class GlobalNormClipping extends BaseTrainingListener {
    private final double maxNorm;
    private double lastNorm = Double.NaN;

    public GlobalNormClipping(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("global clip norm must be positive, got " + maxNorm);
        this.maxNorm = maxNorm;
    }

    @Override
    public void onGradientCalculation(Model model) {
        ComputationGraph graph = (ComputationGraph) model;
        Map<String, INDArray> gradients = graph.gradient().gradientForVariable();
        List<INDArray> clipped = new ArrayList<>();
        double sumOfSquares = 0;
        for (Trainable layer : graph.getLayers()) {
            String name = layer.getConfig().getLayerName();
            for (String param : layer.paramTable(false).keySet()) {
                INDArray g = gradients.get(name + "_" + param);
                if (g == null || !layer.updaterDivideByMinibatch(param)) continue;
                double norm = g.norm2Number().doubleValue();
                sumOfSquares += norm * norm;
                clipped.add(g);
            }
        }
        double batch = graph.batchSize();
        lastNorm = Math.sqrt(sumOfSquares) / batch;
        if (lastNorm > maxNorm) {
            double scale = maxNorm / lastNorm;
            for (INDArray g : clipped) g.muli(scale);
        }
    }

    /** The global norm of the last mean gradient, before clipping. */
    public double lastNorm() {
        return lastNorm;
    }
}
