package io.inception4j.graph.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The computation behind {@link FastMaxPool}: on NHWC float activations oneDNN 2.5 ({@link OneDnnMaxPool}, whose
 * backward pass reads where the maxima were from the forward pass's workspace); otherwise libnd4j's
 * {@code maxpool2d} and {@code maxpool2d_bp} with the same arguments as DL4J's own layer, each call on the kernel
 * {@link PoolKernelChoice} picked for its shape.
 */
public class FastMaxPoolLayer extends SubsamplingLayer {
    /** The workspace of the last training forward pass on oneDNN 2.5, and the input and shape it was for. */
    private final OneDnn.Workspace workspace = new OneDnn.Workspace();
    private INDArray workspaceFor;
    private OneDnnMaxPool.Key workspaceKey;

    public FastMaxPoolLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        helper = null; // DL4J's oneDNN helper would always take oneDNN; we call the ops ourselves
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (input.rank() != 4) {
            throw new DL4JInvalidInputException("Got rank " + input.rank() + " array as input to max pooling with shape "
                    + Arrays.toString(input.shape()) + ". Expected rank 4 array with shape "
                    + layerConf().getCnn2dDataFormat().dimensionNames() + ". " + layerId());
        }
        INDArray in = input.castTo(dataType);
        int[] args = integerArguments();
        long[] outShape = DynamicCustomOp.builder("maxpool2d").addInputs(in).addIntegerArguments(args).build()
                .calculateOutputShape().get(0).getShape();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, outShape, 'c');
        workspaceFor = null;
        OneDnnMaxPool.Key key = oneDnnKey(in, outShape);
        if (key != null && OneDnnMaxPool.forward(key, in, out, training ? workspace : null)) {
            if (training) {
                workspaceFor = input;
                workspaceKey = key;
            }
            return out;
        }
        PoolKernelChoice.run(signature("maxpool2d", in), oneDnn -> exec("maxpool2d", args, oneDnn, out, in));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray in = input.castTo(dataType);
        INDArray eps = epsilon.castTo(dataType);
        int[] args = integerArguments();
        INDArray gradIn = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        if (workspaceFor == input) {
            workspaceFor = null;
            OneDnnMaxPool.backward(workspaceKey, OneDnn.fits(eps) ? eps : eps.dup('c'), gradIn, workspace);
            return new Pair<>(new DefaultGradient(), gradIn);
        }
        long plane = layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW ? in.size(2) * in.size(3) : in.size(1) * in.size(2);
        PoolKernelChoice.runBackward(plane, oneDnn -> exec("maxpool2d_bp", args, oneDnn, gradIn, in, eps));
        return new Pair<>(new DefaultGradient(), gradIn);
    }

    /** The oneDNN 2.5 shape of this call, or null where it does not run there (NCHW, dilation, not float, switched off). */
    private OneDnnMaxPool.Key oneDnnKey(INDArray in, long[] outShape) {
        var c = layerConf();
        int[] k = c.getKernelSize(), s = c.getStride(), d = c.getDilation();
        if (c.getCnn2dDataFormat() != CNN2DFormat.NHWC || d[0] != 1 || d[1] != 1 || !OneDnn.fits(in) || !OneDnn.available()) return null;
        int[] pad = c.getConvolutionMode() == ConvolutionMode.Same
                ? ConvolutionUtils.getSameModeTopLeftPadding(new int[] {(int) outShape[1], (int) outShape[2]},
                        new int[] {(int) in.size(1), (int) in.size(2)}, k, s, d)
                : c.getPadding();
        return new OneDnnMaxPool.Key(in.size(0), in.size(1), in.size(2), in.size(3), k[0], k[1], s[0], s[1], pad[0], pad[1],
                outShape[1], outShape[2]);
    }

    /** As DL4J's SubsamplingLayer passes them: kernel, stride, padding, dilation, same mode, unused, layout. */
    private int[] integerArguments() {
        var c = layerConf();
        int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
        return new int[]{k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1],
                c.getConvolutionMode() == ConvolutionMode.Same ? 1 : 0, 0,
                c.getCnn2dDataFormat() == CNN2DFormat.NCHW ? 0 : 1};
    }

    private String signature(String op, INDArray in) {
        var c = layerConf();
        return op + " " + Arrays.toString(in.shape()) + " " + c.getCnn2dDataFormat() + " kernel " + Arrays.toString(c.getKernelSize())
                + " stride " + Arrays.toString(c.getStride()) + (c.getConvolutionMode() == ConvolutionMode.Same ? " same"
                : " padding " + Arrays.toString(c.getPadding()));
    }

    private static void exec(String op, int[] args, boolean oneDnn, INDArray out, INDArray... inputs) {
        try (OpContext ctx = Nd4j.getExecutioner().buildContext()) {
            ctx.setIArguments(Arrays.stream(args).asLongStream().toArray());
            for (int i = 0; i < inputs.length; i++) ctx.setInputArray(i, inputs[i]);
            ctx.setOutputArray(0, out);
            ctx.allowHelpers(oneDnn);
            Nd4j.exec(DynamicCustomOp.builder(op).build(), ctx);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) { // OpContext.close() declares Exception
            throw new IllegalStateException(e);
        }
    }
}
