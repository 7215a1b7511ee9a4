package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.SeparableConvolution2DLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import static org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer.BIAS_KEY;
import static org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY;
import static org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY;

/**
 * The computation behind {@link FastSeparableConv}: libnd4j's {@code depthwise_conv2d} (k x k, one filter per
 * input channel and depth multiplier) into an [N, C*m, H', W'] middle array, then {@code conv2d} with a 1x1
 * kernel to the output; backward, {@code conv2d_bp} then {@code depthwise_conv2d_bp}. This is what libnd4j's
 * {@code sconv2d} computes, but both ops have oneDNN implementations and {@code sconv2d} has none.
 *
 * <p>The depthwise weights go to libnd4j in its default layout [kH, kW, C, m] as a contiguous copy (weights are
 * small): with DL4J's own [m, C, kH, kW] layout ({@code wFormat} 1) libnd4j M2.1 falls back to its generic loops
 * (seen with {@code DNNL_VERBOSE=1}); the pointwise weights [O, C*m, 1, 1] are passed as they are. The middle
 * array is recomputed in the backward pass rather than kept from the forward pass: the depthwise convolution is
 * a small share of the layer's work (k*k against O multiply-adds per middle value) and keeping it would hold
 * another activation-sized array per layer across the whole forward pass. NHWC input is DL4J's own path.
 */
public class FastSeparableConvLayer extends SeparableConvolution2DLayer {

    public FastSeparableConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Our path: NCHW input whose channels match the weights (anything else gets DL4J's checks and messages). */
    private boolean fastPath(INDArray x) {
        return x.rank() == 4 && layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW
                && x.size(1) == getParam(DEPTH_WISE_WEIGHT_KEY).size(1);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!fastPath(input)) return super.preOutput(training, forBackprop, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray depthwise = getParamWithNoise(DEPTH_WISE_WEIGHT_KEY, training, workspaceMgr);
        INDArray pointwise = getParamWithNoise(POINT_WISE_WEIGHT_KEY, training, workspaceMgr);
        Window w = window(x);
        INDArray mid = depthwise(x, w, depthwise, workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {x.size(0), pointwise.size(0), w.outH, w.outW}, 'c');
        INDArray[] inputs = layerConf().hasBias()
                ? new INDArray[] {mid, pointwise, vector(getParamWithNoise(BIAS_KEY, training, workspaceMgr))}
                : new INDArray[] {mid, pointwise};
        exec("conv2d", inputs, new INDArray[] {out}, POINTWISE_ARGS);
        return new Pair<>(out, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!fastPath(input)) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray depthwise = getParamWithNoise(DEPTH_WISE_WEIGHT_KEY, true, workspaceMgr);
        INDArray pointwise = getParamWithNoise(POINT_WISE_WEIGHT_KEY, true, workspaceMgr);
        IActivation afn = layerConf().getActivationFn();
        INDArray delta = afn instanceof ActivationIdentity ? epsilon
                : afn.backprop(preOutput4d(true, true, workspaceMgr).getFirst(), epsilon).getFirst();
        if (delta.ordering() != 'c' || delta.isView()) delta = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, delta, 'c');

        Window w = window(x);
        INDArray mid = depthwise(x, w, depthwise, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray midGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, mid.shape(), 'c');
        INDArray pointwiseGrad = gradientViews.get(POINT_WISE_WEIGHT_KEY);
        if (layerConf().hasBias()) {
            exec("conv2d_bp", new INDArray[] {mid, pointwise, vector(getParamWithNoise(BIAS_KEY, true, workspaceMgr)), delta},
                    new INDArray[] {midGrad, pointwiseGrad, vector(gradientViews.get(BIAS_KEY))}, POINTWISE_ARGS);
        } else {
            exec("conv2d_bp", new INDArray[] {mid, pointwise, delta}, new INDArray[] {midGrad, pointwiseGrad}, POINTWISE_ARGS);
        }
        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        INDArray depthwiseGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, libnd4jShape(depthwise), 'c');
        exec("depthwise_conv2d_bp", new INDArray[] {x, libnd4jLayout(depthwise, workspaceMgr, ArrayType.BP_WORKING_MEM), midGrad},
                new INDArray[] {inputGrad, depthwiseGrad}, w.depthwiseArgs);
        gradientViews.get(DEPTH_WISE_WEIGHT_KEY).permute(2, 3, 1, 0).assign(depthwiseGrad);

        Gradient gradient = new DefaultGradient();
        if (layerConf().hasBias()) gradient.setGradientFor(BIAS_KEY, gradientViews.get(BIAS_KEY));
        gradient.setGradientFor(DEPTH_WISE_WEIGHT_KEY, gradientViews.get(DEPTH_WISE_WEIGHT_KEY), 'c');
        gradient.setGradientFor(POINT_WISE_WEIGHT_KEY, pointwiseGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad));
    }

    /** 1x1, stride 1, no padding, NCHW, weights [O, C*m, 1, 1] (libnd4j's wFormat 1). */
    private static final int[] POINTWISE_ARGS = {1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1};

    /** The depthwise convolution's output size and its libnd4j arguments, padding as DL4J computes it. */
    private record Window(long outH, long outW, int[] depthwiseArgs) {}

    private Window window(INDArray x) {
        var c = layerConf();
        int[] kernel = c.getKernelSize(), stride = c.getStride(), dilation = c.getDilation();
        boolean same = convolutionMode == ConvolutionMode.Same;
        int[] out = ConvolutionUtils.getOutputSize(x, kernel, stride, same ? null : c.getPadding(), convolutionMode, dilation,
                CNN2DFormat.NCHW);
        int[] pad = same
                ? ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {(int) x.size(2), (int) x.size(3)}, kernel, stride, dilation)
                : c.getPadding();
        // kH, kW, sH, sW, pH, pW, dH, dW, same mode, NCHW (0), weights [kH, kW, C, m] (wFormat 0)
        int[] args = {kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], dilation[0], dilation[1], same ? 1 : 0, 0, 0};
        return new Window(out[0], out[1], args);
    }

    private INDArray depthwise(INDArray x, Window w, INDArray weights, LayerWorkspaceMgr workspaceMgr, ArrayType working) {
        INDArray mid = workspaceMgr.createUninitialized(working, dataType,
                new long[] {x.size(0), weights.size(0) * weights.size(1), w.outH, w.outW}, 'c');
        exec("depthwise_conv2d", new INDArray[] {x, libnd4jLayout(weights, workspaceMgr, working)}, new INDArray[] {mid}, w.depthwiseArgs);
        return mid;
    }

    /** DL4J's depthwise weights [m, C, kH, kW] as libnd4j's [kH, kW, C, m], contiguous. */
    private static INDArray libnd4jLayout(INDArray weights, LayerWorkspaceMgr workspaceMgr, ArrayType working) {
        return workspaceMgr.dup(working, weights.permute(2, 3, 1, 0), 'c');
    }

    private static long[] libnd4jShape(INDArray weights) {
        return new long[] {weights.size(2), weights.size(3), weights.size(1), weights.size(0)};
    }

    /** DL4J keeps the bias as [1, O]; the ops take [O] (a view, so gradients land in place). */
    private static INDArray vector(INDArray bias) {
        return bias.reshape(bias.length());
    }

    private static void exec(String op, INDArray[] inputs, INDArray[] outputs, int[] args) {
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(outputs).addIntegerArguments(args)
                .callInplace(false).build());
    }
}
