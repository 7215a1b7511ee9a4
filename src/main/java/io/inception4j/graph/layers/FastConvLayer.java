package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

import static io.inception4j.graph.layers.Wiring.exec;
import static io.inception4j.graph.layers.Wiring.vector;

/**
 * The computation behind {@link FastConv} on NHWC input: oneDNN 2.5 where it has a kernel for the shape
 * ({@link OneDnnConvForward}, with a ReLU activation fused in when no pre-activation is kept;
 * {@link OneDnnConvBackward}), else libnd4j's {@code conv2d} and {@code conv2d_bp} (oneDNN 2.3 on CPU), both
 * with DL4J's [out, in, kH, kW] weights as they are (libnd4j's {@code wFormat} 1), exactly the arguments
 * DL4J's oneDNN helper passes, so the results are the same. The pre-activation of a training forward pass is
 * kept for backward (in the activations workspace, open until backpropagation ends) when the layer has an
 * activation of its own and DL4J's cache mode is on; with none (a batch norm follows) backward needs no
 * pre-activation at all. NCHW input is DL4J's own path.
 */
public class FastConvLayer extends ConvolutionLayer {
    /** The input whose pre-activation {@link #kept} holds (identity, not equality: DL4J sets a new array per pass). */
    private INDArray keptFor;
    private INDArray kept;
    /** The input is the network's (the images): nobody reads its gradient, so backward does not compute it. */
    private boolean inputGradientUnused;

    public FastConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    boolean nhwc() {
        return layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC;
    }

    boolean inputGradientUnused() {
        return inputGradientUnused;
    }

    /** For tests: compute the input gradient after all. */
    void computeInputGradient() {
        inputGradientUnused = false;
    }

    /**
     * Marks the convolutions that read the network's input directly: their input gradient goes nowhere (PyTorch
     * does not compute it either), so their backward pass computes the weight gradient only and passes no
     * gradient on. Called on every graph built or loaded; a graph without it computes the same parameters' gradients.
     */
    public static void skipUnusedInputGradients(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        var vertices = graph.getVertices();
        for (var v : vertices) {
            if (!v.hasLayer() || !(v.getLayer() instanceof FastConvLayer conv) || v.getInputVertices() == null) continue;
            boolean fromInputs = java.util.Arrays.stream(v.getInputVertices()).allMatch(i -> vertices[i.getVertexIndex()].isInputVertex());
            if (fromInputs && conv.layerConf().getIDropout() == null) conv.inputGradientUnused = true;
        }
    }

    private boolean ownPath() {
        return nhwc() && input.rank() == 4 && dataType.isFPType()
                && input.size(3) == getParam(ConvolutionParamInitializer.WEIGHT_KEY).size(1);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        keptFor = kept = null;
        if (!ownPath()) return super.activate(training, workspaceMgr);
        applyDropOutIfNecessary(training, workspaceMgr);
        IActivation afn = layerConf().getActivationFn();
        boolean keep = training && cacheMode != null && cacheMode != CacheMode.NONE && !(afn instanceof ActivationIdentity);
        if (!keep && plainRelu(afn)) return convolve(training, workspaceMgr, ArrayType.ACTIVATIONS, true); // ReLU in the kernel
        INDArray z = convolve(training, workspaceMgr, ArrayType.ACTIVATIONS, false);
        if (afn instanceof ActivationIdentity) return z;
        if (!keep) return afn.getActivation(z, training);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, z.shape(), 'c');
        if (plainRelu(afn)) {
            Nd4j.getExecutioner().exec(new RectifiedLinear(z, out, 0.0)); // one pass, no copy first
        } else {
            out.assign(z);
            out = afn.getActivation(out, true);
        }
        keptFor = input;
        kept = z;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!ownPath()) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray eps = epsilon.castTo(dataType);
        IActivation afn = layerConf().getActivationFn();
        INDArray delta;
        if (afn instanceof ActivationIdentity) {
            delta = eps;
        } else {
            INDArray z = keptFor == input ? kept : convolve(true, workspaceMgr, ArrayType.BP_WORKING_MEM, false);
            delta = afn.backprop(z, eps).getFirst(); // may overwrite z, which is not needed again
        }
        if (delta.ordering() != 'c' || delta.isView()) delta = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, delta, 'c');
        keptFor = kept = null;

        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = hasBias() ? vector(gradientViews.get(ConvolutionParamInitializer.BIAS_KEY)) : null;
        Gradient gradient = new DefaultGradient();
        INDArray inputGrad = inputGradientUnused ? null
                : workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        if (!oneDnn25(x, weights, delta, inputGrad, weightGrad, biasGrad)) {
            if (inputGrad == null) inputGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            INDArray[] in = hasBias() ? new INDArray[] {x, weights, vector(getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr)), delta}
                    : new INDArray[] {x, weights, delta};
            INDArray[] out = hasBias() ? new INDArray[] {inputGrad, weightGrad, biasGrad} : new INDArray[] {inputGrad, weightGrad};
            exec("conv2d_bp", in, out, arguments(x));
            if (inputGradientUnused) inputGrad = null;
        }
        if (hasBias()) gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, gradientViews.get(ConvolutionParamInitializer.BIAS_KEY));
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, inputGrad == null ? null : backpropDropOutIfPresent(inputGrad));
    }

    /** The backward pass on oneDNN 2.5's direct kernels where {@link OneDnnConvBackward} takes this shape; false if not. */
    private boolean oneDnn25(INDArray x, INDArray weights, INDArray delta, INDArray inputGrad, INDArray weightGrad, INDArray biasGrad) {
        var c = layerConf();
        if (!OneDnnConvBackward.takes(dataType, c.getKernelSize(), c.getStride(), c.getDilation(), inputGrad != null)) return false;
        for (INDArray a : new INDArray[] {x, weights, delta, inputGrad, weightGrad, biasGrad}) {
            if (a != null && !OneDnn.fits(a)) return false;
        }
        var key = new OneDnnConvBackward.Key(geometry(x, weights, delta.size(1), delta.size(2), biasGrad != null), inputGrad != null);
        return OneDnnConvBackward.backward(key, x, weights, delta, inputGrad, weightGrad, biasGrad);
    }

    /** ReLU with none of DL4J's options (a cap, a threshold, a negative slope): what oneDNN's post-op computes. */
    private static boolean plainRelu(IActivation afn) {
        if (afn instanceof FastReluActivation) return true;
        if (afn.getClass() != ActivationReLU.class) return false;
        var r = (ActivationReLU) afn;
        return r.getMax() == null && (r.getThreshold() == null || r.getThreshold() == 0) && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0);
    }

    /**
     * The pre-activation [N, H', W', out], plus the bias if the layer has one, rectified if {@code relu}: on oneDNN
     * 2.5 with the ReLU in its kernel ({@link OneDnnConvForward}) where it takes the shape, else libnd4j's conv2d.
     */
    private INDArray convolve(boolean training, LayerWorkspaceMgr workspaceMgr, ArrayType type, boolean relu) {
        INDArray x = input.castTo(dataType);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray bias = hasBias() ? vector(getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr)) : null;
        int[] out = outputSize(x);
        INDArray z = workspaceMgr.createUninitialized(type, dataType, new long[] {x.size(0), out[0], out[1], weights.size(0)}, 'c');
        int[] args = arguments(x);
        if (OneDnnConvForward.takes(dataType, layerConf().getDilation()) && OneDnn.fits(x) && OneDnn.fits(weights) && (bias == null || OneDnn.fits(bias))) {
            var key = new OneDnnConvForward.Key(geometry(x, weights, out[0], out[1], bias != null), relu, training);
            if (OneDnnConvForward.forward(key, x, weights, bias, z)) return z;
        }
        exec("conv2d", bias != null ? new INDArray[] {x, weights, bias} : new INDArray[] {x, weights}, new INDArray[] {z}, args);
        if (relu) Nd4j.getExecutioner().exec(new RectifiedLinear(z, z, 0.0));
        return z;
    }

    /** This layer's convolution of {@code x} as oneDNN 2.5 is given it. */
    private ConvGeometry geometry(INDArray x, INDArray weights, long oh, long ow, boolean bias) {
        int[] args = arguments(x);
        return new ConvGeometry(x.size(0), x.size(1), x.size(2), x.size(3), weights.size(0), args[0], args[1], args[2], args[3],
                args[4], args[5], oh, ow, bias);
    }

    private int[] outputSize(INDArray x) {
        var c = layerConf();
        return ConvolutionUtils.getOutputSize(x, c.getKernelSize(), c.getStride(),
                convolutionMode == ConvolutionMode.Same ? null : c.getPadding(), convolutionMode, c.getDilation(), CNN2DFormat.NHWC);
    }

    /** kH, kW, sH, sW, pH, pW, dH, dW, same mode, NHWC (1), weights [out, in, kH, kW] (1): as DL4J's oneDNN helper. */
    private int[] arguments(INDArray x) {
        var c = layerConf();
        int[] k = c.getKernelSize(), s = c.getStride(), d = c.getDilation();
        boolean same = convolutionMode == ConvolutionMode.Same;
        int[] p = same ? ConvolutionUtils.getSameModeTopLeftPadding(outputSize(x), new int[] {(int) x.size(1), (int) x.size(2)}, k, s, d)
                : c.getPadding();
        return new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same ? 1 : 0, 1, 1};
    }
}
