package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A depthwise separable convolution, the same parameters as DL4J's {@link SeparableConvolution2D}, computed as
 * oneDNN's depthwise convolution followed by oneDNN's 1x1 convolution: see {@link FastSeparableConvLayer}.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 the stock layer runs libnd4j's {@code sconv2d} and {@code sconv2d_bp}, which have
 * no oneDNN implementation; they took 92.5% of Xception's training step on CPU (0.55 images/s at 128 px), and
 * the same work as the two oneDNN convolutions is 20-30 times faster on Xception's shapes.
 */
public class FastSeparableConv extends SeparableConvolution2D {

    /** For DL4J's JSON deserialisation. */
    public FastSeparableConv() {}

    /** The layer {@code builder} would build (its checks included), with our implementation. */
    public FastSeparableConv(SeparableConvolution2D.Builder builder) {
        super(Wiring.checked(builder));
    }


    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastSeparableConvLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public FastSeparableConv clone() {
        return (FastSeparableConv) super.clone();
    }
}
