package io.inception4j.graph.blocks;

import io.inception4j.config.Activation;
import io.inception4j.config.Padding;
import io.inception4j.config.TensorLayout;
import io.inception4j.config.WeightInit;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.layers.FastBatchNorm;
import io.inception4j.graph.layers.FastConv;
import io.inception4j.graph.layers.FastRelu;
import io.inception4j.graph.layers.FastReluActivation;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.activations.IActivation;

/** The config's DL4J-free vocabulary, in DL4J terms. */
final class Dl4j {
    private Dl4j() {}

    /** The activation function, with our faster ReLU gradient on the fast paths. */
    static IActivation activation(BlockContext ctx, Activation a) {
        return ctx.fastPath(FastPath.RELU) && a == Activation.RELU ? new FastReluActivation() : activation(a);
    }

    static IActivation activation(Activation a) {
        return switch (a) {
            case RELU -> org.nd4j.linalg.activations.Activation.RELU.getActivationFunction();
            case RELU6 -> org.nd4j.linalg.activations.Activation.RELU6.getActivationFunction();
            case LINEAR -> org.nd4j.linalg.activations.Activation.IDENTITY.getActivationFunction();
            case TANH -> org.nd4j.linalg.activations.Activation.TANH.getActivationFunction();
            case SIGMOID -> org.nd4j.linalg.activations.Activation.SIGMOID.getActivationFunction();
            case SWISH -> org.nd4j.linalg.activations.Activation.SWISH.getActivationFunction();
            case ELU -> org.nd4j.linalg.activations.Activation.ELU.getActivationFunction();
        };
    }

    static IWeightInit init(WeightInit w) {
        return switch (w) {
            // Caffe's "xavier" filler (bvlc_googlenet) has variance 1/fan_in; DL4J's XAVIER is Glorot's
            // 2/(fan_in + fan_out), much smaller for 1x1 convolutions that widen, and GoogLeNet then barely learns.
            case XAVIER -> org.deeplearning4j.nn.weights.WeightInit.XAVIER_FAN_IN.getWeightInitFunction();
            case GLOROT -> org.deeplearning4j.nn.weights.WeightInit.XAVIER.getWeightInitFunction();
            case XAVIER_UNIFORM -> org.deeplearning4j.nn.weights.WeightInit.XAVIER_UNIFORM.getWeightInitFunction();
            case HE -> org.deeplearning4j.nn.weights.WeightInit.RELU.getWeightInitFunction();
            case HE_UNIFORM -> org.deeplearning4j.nn.weights.WeightInit.RELU_UNIFORM.getWeightInitFunction();
            // TF-slim's default for Inception: truncated normal, stddev 0.1 is too wide for deep nets; use
            // fan-in scaling as its variance_scaling_initializer does.
            case TRUNCATED_NORMAL -> org.deeplearning4j.nn.weights.WeightInit.VAR_SCALING_NORMAL_FAN_IN.getWeightInitFunction();
        };
    }

    /** Batch normalisation: ours on the fast paths (same parameters and statistics), else DL4J's. */
    static BatchNormalization batchNorm(BlockContext ctx, double eps, double decay) {
        return ctx.fastPath(FastPath.BATCHNORM) ? new FastBatchNorm(eps, decay) : new BatchNormalization.Builder().eps(eps).decay(decay).build();
    }

    /** An activation as a layer of its own: ReLU is ours on the fast paths, everything else DL4J's. */
    static ActivationLayer activationLayer(BlockContext ctx, Activation a) {
        return ctx.fastPath(FastPath.RELU) && a == Activation.RELU ? new FastRelu()
                : new ActivationLayer.Builder().activation(activation(a)).build();
    }

    /** A convolution: ours in NHWC networks on the fast paths (same parameters), else DL4J's. */
    static ConvolutionLayer conv(BlockContext ctx, ConvolutionLayer.Builder builder) {
        return ctx.layout() == TensorLayout.NHWC && ctx.fastPath(FastPath.CONV) ? new FastConv(builder) : builder.build();
    }

    /** {@code same} keeps ceil(in / stride); {@code valid} is DL4J's Truncate with no padding. */
    static ConvolutionMode mode(Padding p) {
        return p == Padding.SAME ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }
}
