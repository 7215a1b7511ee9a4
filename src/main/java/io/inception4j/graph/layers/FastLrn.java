package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Local response normalisation across channels, {@code b = a / (k + alpha * sum of a^2 over n channels)^beta}
 * (DL4J's convention: alpha is not divided by n), computed with a few whole-array native ops instead of DL4J's
 * Java loop of strided slice additions, and with the exact gradient.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 the stock layer cost 30% of GoogLeNet's training step on CPU (forward, the
 * forward again inside backward, then backward: about 4n strided passes each), its oneDNN helper is switched
 * off for a wrong backward pass (deeplearning4j#7272), libnd4j's {@code lrn_bp} disagrees with a numerical
 * gradient, and the stock backward divides by the scale at the wrong channel (a few percent off). See
 * {@link FastLrnLayer}.
 */
public class FastLrn extends LocalResponseNormalization {

    /** For DL4J's JSON deserialisation. */
    public FastLrn() {}

    public FastLrn(int n, double k, double alpha, double beta) {
        setN(n);
        setK(k);
        setAlpha(alpha);
        setBeta(beta);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new FastLrnLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    @Override
    public FastLrn clone() {
        return (FastLrn) super.clone();
    }
}
