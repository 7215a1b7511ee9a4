package io.inception4j.graph.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * What every DL4J layer configuration's {@code instantiate} does to the layer it creates, once for all of ours,
 * and what our layers share in building and calling libnd4j ops.
 */
final class Wiring {
    private Wiring() {}

    /** The builder after the checks its stock {@code build()} makes (kernel, stride, padding, mode). */
    static <B extends org.deeplearning4j.nn.conf.layers.Layer.Builder<?>> B checked(B builder) {
        builder.build();
        return builder;
    }

    /** DL4J keeps a bias as [1, O]; libnd4j's ops take [O] (a view, so gradients land in place). */
    static INDArray vector(INDArray bias) {
        return bias.reshape(bias.length());
    }

    /** Runs a libnd4j custom op into the given outputs. */
    static void exec(String op, INDArray[] inputs, INDArray[] outputs, int[] args) {
        org.nd4j.linalg.factory.Nd4j.getExecutioner().exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder(op).addInputs(inputs)
                .addOutputs(outputs).addIntegerArguments(args).callInplace(false).build());
    }

    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                                    INDArray paramsView, boolean initializeParams, ParamInitializer init) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(init.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
