package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Max pooling on the faster of libnd4j's two kernels, oneDNN's and libnd4j's own loops: forward, timed the first
 * time the layer meets a shape (both give the same bits); backward, by a fixed rule on the plane size, so that
 * training is reproducible ({@link PoolKernelChoice} says why).
 *
 * <p>Why: oneDNN 2.x has no vectorised kernel for plain NCHW max pooling (DL4J's layout); its reference
 * kernel ({@code nchw_pooling_fwd_t}) is fast on small planes but falls off a cliff on large ones. Measured on
 * this project's CPU, 3x3 stride 2, batch 16 x 64 channels: 111x111 input, forward 8.6 ms (oneDNN) against
 * 21 ms (own loops); 115x115, 190 ms against 27 ms; 147x147 (Inception v3's first pooling layer), 350 ms
 * against 41 ms forward and 380 ms against 175 ms backward (oneDNN's backward runs the forward again to find
 * the maxima). That one layer was most of the 13% of v3's training step spent in max pooling.
 */
public class FastMaxPool extends SubsamplingLayer {

    /** For DL4J's JSON deserialisation. */
    public FastMaxPool() {}

    /** The layer {@code builder} describes (which must be max pooling), with our implementation. */
    public FastMaxPool(SubsamplingLayer.Builder builder) {
        super(builder);
        if (getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
            throw new IllegalArgumentException("FastMaxPool is max pooling, got " + getPoolingType());
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastMaxPoolLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    @Override
    public FastMaxPool clone() {
        return (FastMaxPool) super.clone();
    }
}
