package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A 2-d convolution with DL4J's parameters ([out, in, kH, kW] weights, [1, out] bias), which in NHWC calls
 * libnd4j's oneDNN convolution on the activations as they are: see {@link FastConvLayer}. NCHW is DL4J's own
 * layer.
 *
 * <p>Why: DL4J 1.0.0-M2.1's layer handles NHWC by copying its input to NCHW on every forward pass (even when
 * it then hands oneDNN the NHWC original), running the activation's gradient on a permuted view, and copying
 * the whole pre-activation once more for its cache; the copies cost about what NHWC saves.
 */
public class FastConv extends ConvolutionLayer {

    /** For DL4J's JSON deserialisation. */
    public FastConv() {}

    /** The layer {@code builder} would build (its checks included), with our implementation. */
    public FastConv(ConvolutionLayer.Builder builder) {
        super(Wiring.checked(builder));
    }


    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastConvLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    @Override
    public FastConv clone() {
        return (FastConv) super.clone();
    }
}
