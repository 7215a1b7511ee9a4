package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A ReLU activation layer (after batch norm, or after a residual sum) that writes its output once and
 * computes its gradient as {@code g * step(x)}.
 *
 * <p>Why: DL4J's ActivationLayer copies its input and then applies the ReLU in place (two passes), and its
 * backward pass copies the input again before libnd4j's {@code relu_bp}, which runs 3.4x slower than a step
 * and a multiplication (measured on [16, 192, 35, 35]). It cost 7% of Inception v3's training step.
 */
public class FastRelu extends ActivationLayer {

    /** For DL4J's JSON deserialisation. */
    public FastRelu() {
        setActivationFn(Activation.RELU.getActivationFunction());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastReluLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    @Override
    public FastRelu clone() {
        return (FastRelu) super.clone();
    }
}
