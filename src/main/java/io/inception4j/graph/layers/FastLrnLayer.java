package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The computation behind {@link FastLrn}, for NCHW input [N, C, H, W] or NHWC [N, H, W, C].
 *
 * <pre>
 *   forward:   S = windowSum(a^2)        u = k + alpha * S        b = a * u^-beta
 *   backward:  T = windowSum(g * b / u)  da = g * u^-beta - 2 * alpha * beta * a * T
 * </pre>
 * where windowSum adds n neighbouring channels (zero beyond the edges): one native average pool, see
 * {@link #windowSum(INDArray, INDArray)}. The forward
 * pass of a training step keeps u^-beta and u for the backward pass: they live in the activations workspace,
 * which DL4J keeps open until backpropagation ends.
 */
public class FastLrnLayer extends LocalResponseNormalization {
    /** libnd4j avgpool2d integer arguments: divide by the whole window, padding included; NHWC layout. */
    private static final int POOL_INCLUDE_PADDING = 1, POOL_NHWC = 1;

    private INDArray cachedFor, cachedScale, cachedPowered;
    /** The window of channels as a matrix, for NHWC: see {@link #band}. Outside workspaces. */
    private INDArray band;

    public FastLrnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray a = input.castTo(dataType);
        INDArray u = unitScale(a, workspaceMgr, training);
        // Training keeps u and u^-beta for the backward pass, so both go to the activations workspace (the
        // current one is the layer's working memory, reused by the next layer).
        INDArray powered = training ? workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c') : u;
        Nd4j.getExecutioner().exec(new Pow(u, powered, -layerConf().getBeta()));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c');
        Nd4j.getExecutioner().exec(new MulOp(a, powered, out));
        if (training) {
            cachedFor = input;
            cachedScale = u;
            cachedPowered = powered;
        } else {
            cachedFor = null;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray a = input.castTo(dataType);
        INDArray g = epsilon.castTo(dataType);
        double alpha = layerConf().getAlpha(), beta = layerConf().getBeta();
        INDArray u, powered;
        if (cachedFor == input) {
            u = cachedScale;
            powered = cachedPowered;
        } else { // no training forward pass of this input: compute again
            u = unitScale(a, workspaceMgr, false);
            powered = Transforms.pow(u, -beta, true);
        }
        // t = g * b / u = g * a * u^-beta / u
        INDArray t = g.mul(a).muli(powered).divi(u);
        INDArray sum = windowSum(t);
        INDArray da = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, a.shape(), 'c');
        Nd4j.getExecutioner().exec(new MulOp(g, powered, da));
        da.subi(sum.muli(a).muli(2 * alpha * beta));
        cachedFor = null;
        cachedScale = cachedPowered = null;
        return new Pair<>(new DefaultGradient(), backpropDropOutIfPresent(da));
    }

    /** u = k + alpha * windowSum(a^2); kept in the activations workspace when training (for backward). */
    private INDArray unitScale(INDArray a, LayerWorkspaceMgr workspaceMgr, boolean keep) {
        INDArray squares = a.mul(a);
        INDArray u = keep ? workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c')
                : Nd4j.createUninitialized(dataType, a.shape(), 'c');
        windowSum(squares, u);
        return u.muli(layerConf().getAlpha()).addi(layerConf().getK());
    }

    private INDArray windowSum(INDArray x) {
        INDArray out = Nd4j.createUninitialized(dataType, x.shape(), 'c');
        windowSum(x, out);
        return out;
    }

    /**
     * out = sum of x over n neighbouring channels. NCHW: an array [N, C, H, W] has the memory layout of an NHWC
     * image [N, C, 1, H*W] whose "height" is our channel axis and whose H*W "channels" are independent, so the
     * window sum is oneDNN's vectorised NHWC average pool with an n x 1 window that counts its zero padding,
     * times n. (The same pool over an NCHW view [N, 1, C, H*W] runs 25x slower: one channel, no vectors.) NHWC:
     * the array as a matrix [N*H*W, C] times a band of ones [C, C] (C multiply-adds per value where n would do,
     * but on oneDNN's matmul; the layer is a small share of a step either way).
     */
    private void windowSum(INDArray x, INDArray out) {
        int n = (int) layerConf().getN();
        long[] s = x.shape();
        if (layerConf().getDataFormat() == CNN2DFormat.NHWC) {
            long c = s[3];
            INDArray pixels = x.reshape('c', x.length() / c, c);
            Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(pixels, band((int) c, n))
                    .addOutputs(out.reshape('c', x.length() / c, c)).build());
            return;
        }
        INDArray in4 = x.reshape('c', s[0], s[1], 1, s[2] * s[3]);
        INDArray out4 = out.reshape('c', s[0], s[1], 1, s[2] * s[3]);
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d").addInputs(in4).addOutputs(out4)
                .addIntegerArguments(n, 1, 1, 1, n / 2, 0, 1, 1, 0, POOL_INCLUDE_PADDING, POOL_NHWC).build());
        out.muli(n);
    }

    /** [C, C] with ones where the channels are at most n / 2 apart: a row of channels times it is the window sum. */
    private INDArray band(int c, int n) {
        if (band == null || band.size(0) != c || band.dataType() != dataType) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                band = Nd4j.zeros(dataType, c, c);
                for (int i = 0; i < c; i++) {
                    for (int j = Math.max(0, i - n / 2); j <= Math.min(c - 1, i + n / 2); j++) band.putScalar(i, j, 1.0);
                }
            }
        }
        return band;
    }
}
