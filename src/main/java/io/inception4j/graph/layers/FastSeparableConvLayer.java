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

import static io.inception4j.graph.layers.Wiring.exec;
import static io.inception4j.graph.layers.Wiring.vector;

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
 * another activation-sized array per layer across the whole forward pass (a layer with its own activation
 * recomputes its pre-activation from it too). NCHW and NHWC alike (the ops' layout argument).
 */
public class FastSeparableConvLayer extends SeparableConvolution2DLayer {

    public FastSeparableConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Our path: input whose channels match the weights (anything else gets DL4J's checks and messages). */
    private boolean fastPath(INDArray x) {
        return x.rank() == 4 && x.size(nhwc() ? 3 : 1) == getParam(DEPTH_WISE_WEIGHT_KEY).size(1);
    }

    private boolean nhwc() {
        return layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!fastPath(input)) return super.preOutput(training, forBackprop, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray depthwise = getParamWithNoise(DEPTH_WISE_WEIGHT_KEY, training, workspaceMgr);
        Window w = window(x);
        INDArray mid = depthwise(x, w, libnd4jLayout(depthwise, workspaceMgr, ArrayType.FF_WORKING_MEM), workspaceMgr,
                ArrayType.FF_WORKING_MEM);
        INDArray out = pointwise(mid, w, training, workspaceMgr, ArrayType.ACTIVATIONS);
        return new Pair<>(out, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!fastPath(input)) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray depthwise = getParamWithNoise(DEPTH_WISE_WEIGHT_KEY, true, workspaceMgr);
        INDArray pointwise = getParamWithNoise(POINT_WISE_WEIGHT_KEY, true, workspaceMgr);
        Window w = window(x);
        INDArray depthwiseKkcm = libnd4jLayout(depthwise, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray mid = depthwise(x, w, depthwiseKkcm, workspaceMgr, ArrayType.BP_WORKING_MEM);
        IActivation afn = layerConf().getActivationFn();
        INDArray delta = afn instanceof ActivationIdentity ? epsilon // the BN that follows (Xception's case) needs no pre-activation
                : afn.backprop(pointwise(mid, w, true, workspaceMgr, ArrayType.BP_WORKING_MEM), epsilon).getFirst();
        if (delta.ordering() != 'c' || delta.isView()) delta = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, delta, 'c');

        INDArray midGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, mid.shape(), 'c');
        INDArray pointwiseGrad = gradientViews.get(POINT_WISE_WEIGHT_KEY);
        if (layerConf().hasBias()) {
            exec("conv2d_bp", new INDArray[] {mid, pointwise, vector(getParamWithNoise(BIAS_KEY, true, workspaceMgr)), delta},
                    new INDArray[] {midGrad, pointwiseGrad, vector(gradientViews.get(BIAS_KEY))}, pointwiseArgs());
        } else {
            exec("conv2d_bp", new INDArray[] {mid, pointwise, delta}, new INDArray[] {midGrad, pointwiseGrad}, pointwiseArgs());
        }
        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        INDArray depthwiseGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, depthwiseKkcm.shape(), 'c');
        exec("depthwise_conv2d_bp", new INDArray[] {x, depthwiseKkcm, midGrad}, new INDArray[] {inputGrad, depthwiseGrad},
                w.depthwiseArgs);
        gradientViews.get(DEPTH_WISE_WEIGHT_KEY).permute(2, 3, 1, 0).assign(depthwiseGrad);

        Gradient gradient = new DefaultGradient();
        if (layerConf().hasBias()) gradient.setGradientFor(BIAS_KEY, gradientViews.get(BIAS_KEY));
        gradient.setGradientFor(DEPTH_WISE_WEIGHT_KEY, gradientViews.get(DEPTH_WISE_WEIGHT_KEY), 'c');
        gradient.setGradientFor(POINT_WISE_WEIGHT_KEY, pointwiseGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad));
    }

    /** 1x1, stride 1, no padding, the layer's layout (NCHW 0, NHWC 1), weights [O, C*m, 1, 1] (libnd4j's wFormat 1). */
    private int[] pointwiseArgs() {
        return new int[] {1, 1, 1, 1, 0, 0, 1, 1, 0, nhwc() ? 1 : 0, 1};
    }

    /** The depthwise convolution's output size and its libnd4j arguments, padding as DL4J computes it. */
    private record Window(long outH, long outW, int[] depthwiseArgs) {}

    private Window window(INDArray x) {
        var c = layerConf();
        int[] kernel = c.getKernelSize(), stride = c.getStride(), dilation = c.getDilation();
        boolean same = convolutionMode == ConvolutionMode.Same;
        boolean nhwc = nhwc();
        int[] out = ConvolutionUtils.getOutputSize(x, kernel, stride, same ? null : c.getPadding(), convolutionMode, dilation,
                c.getCnn2dDataFormat());
        int h = (int) x.size(nhwc ? 1 : 2), wd = (int) x.size(nhwc ? 2 : 3);
        int[] pad = same ? ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {h, wd}, kernel, stride, dilation) : c.getPadding();
        // kH, kW, sH, sW, pH, pW, dH, dW, same mode, layout (NCHW 0, NHWC 1), weights [kH, kW, C, m] (wFormat 0)
        int[] args = {kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], dilation[0], dilation[1], same ? 1 : 0,
                nhwc ? 1 : 0, 0};
        return new Window(out[0], out[1], args);
    }

    /** The depthwise convolution of {@code x} with weights [kH, kW, C, m]: the middle array [N, C*m, H', W'] (or NHWC). */
    private INDArray depthwise(INDArray x, Window w, INDArray kkcm, LayerWorkspaceMgr workspaceMgr, ArrayType working) {
        INDArray mid = workspaceMgr.createUninitialized(working, dataType, shape(x.size(0), kkcm.size(2) * kkcm.size(3), w), 'c');
        exec("depthwise_conv2d", new INDArray[] {x, kkcm}, new INDArray[] {mid}, w.depthwiseArgs);
        return mid;
    }

    /** The 1x1 convolution of the middle array to the layer's output channels, plus the bias if it has one. */
    private INDArray pointwise(INDArray mid, Window w, boolean training, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray weights = getParamWithNoise(POINT_WISE_WEIGHT_KEY, training, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(type, dataType, shape(mid.size(0), weights.size(0), w), 'c');
        INDArray[] inputs = layerConf().hasBias()
                ? new INDArray[] {mid, weights, vector(getParamWithNoise(BIAS_KEY, training, workspaceMgr))}
                : new INDArray[] {mid, weights};
        exec("conv2d", inputs, new INDArray[] {out}, pointwiseArgs());
        return out;
    }

    /** The shape of n outputs of {@code channels} channels at the window's output size, in the layer's layout. */
    private long[] shape(long n, long channels, Window w) {
        return nhwc() ? new long[] {n, w.outH, w.outW, channels} : new long[] {n, channels, w.outH, w.outW};
    }

    /** DL4J's depthwise weights [m, C, kH, kW] as libnd4j's [kH, kW, C, m], contiguous. */
    private static INDArray libnd4jLayout(INDArray weights, LayerWorkspaceMgr workspaceMgr, ArrayType working) {
        return workspaceMgr.dup(working, weights.permute(2, 3, 1, 0), 'c');
    }
}
