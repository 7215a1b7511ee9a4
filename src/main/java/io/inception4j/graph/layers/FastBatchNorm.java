package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Batch normalisation, the same parameters and running statistics as DL4J's, with a faster training path
 * for convolutional (NCHW) input: see {@link FastBatchNormLayer}.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 batch norm took 31% of Inception v3's training step on CPU. Its oneDNN helper
 * computes the batch variance with a generic strided reduction (4x slower than the normalisation itself) and
 * libnd4j's {@code batchnorm_bp} spends most of its time outside oneDNN.
 */
public class FastBatchNorm extends BatchNormalization {
    /**
     * A ReLU applied to the output, as part of this layer: DL4J's batch norm ignores its activation setting, and a
     * ReLU layer of its own costs a pass over the activations each way (5% of a training step), which oneDNN's
     * batch norm does inside its own passes. Saved with the configuration; absent (false) in older ones.
     */
    private boolean reluAfter;

    /** For DL4J's JSON deserialisation; the builder's defaults. */
    public FastBatchNorm() {}

    public FastBatchNorm(double eps, double decay) {
        setEps(eps);
        setDecay(decay);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastBatchNormLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    /** This batch norm, followed by a ReLU inside the layer. */
    public FastBatchNorm withReluAfter() {
        FastBatchNorm b = clone();
        b.reluAfter = true;
        return b;
    }

    public boolean isReluAfter() {
        return reluAfter;
    }

    public void setReluAfter(boolean reluAfter) {
        this.reluAfter = reluAfter;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FastBatchNorm b && b.reluAfter == reluAfter;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(reluAfter);
    }

    @Override
    public FastBatchNorm clone() {
        return (FastBatchNorm) super.clone();
    }
}
