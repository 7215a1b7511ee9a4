package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The computation behind {@link FastBatchNorm}. For training on NCHW float input x [N, C, H, W], with
 * M = N*H*W values per channel:
 *
 * <pre>
 *   forward:   mu = sum(x) / M     var = sum(x^2) / M - mu^2     s = 1 / sqrt(var + eps)
 *              y = gamma * s * (x - mu) + beta
 *   backward:  dBeta = sum(g)      dGamma = s * (sum(g * x) - mu * dBeta)
 *              dx = A * g + B * x + D,  with  A = gamma * s,  B = -gamma * s^2 * dGamma / M,
 *                                             D = -A * dBeta / M - B * mu
 * </pre>
 * Per-channel sums are row sums of the array viewed as [N*C, H*W], then a tiny sum over N. The variance is E[x^2] - mu^2, finished in
 * double precision; in float32 it loses digits only when |mu| is hundreds of times the standard deviation,
 * which batch norm's own output never is and conv outputs rarely are. Per-channel affine maps a*x + b are
 * libnd4j's (oneDNN) {@code batchnorm} op with mean 0 and variance 1 - eps. The running mean and variance
 * are updated exactly as DL4J does it
 * (through the gradient views of the global statistics), so checkpoints and inference are unchanged.
 * Anything else (NHWC, 2-d input, locked gamma/beta, inference) is DL4J's own path.
 */
public class FastBatchNormLayer extends BatchNormalization {
    private static final double LN10_HALF = 0.5 / Math.log(10); // d log10(std) = d ln(var) / (2 ln 10)

    /** The batch statistics of the last training forward pass, for its backward pass. */
    private INDArray batchMean, batchVar, forInput;

    public FastBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath(INDArray x) {
        return x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW && x.dataType() == dataType
                && dataType.isFPType() && !layerConf().isLockGammaBeta() && x.ordering() == 'c' && !x.isView();
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        if (training != TrainingMode.TRAIN || !fastPath(x)) {
            forInput = null;
            return super.preOutput(x, training, workspaceMgr);
        }
        long[] s = x.shape();
        double m = s[0] * s[2] * s[3];
        double[] sum = channelSums(x).toDoubleVector(), sumSq = channelSums(x.mul(x)).toDoubleVector();
        double[] mu = new double[sum.length], variance = new double[sum.length];
        for (int c = 0; c < sum.length; c++) {
            mu[c] = sum[c] / m;
            variance[c] = Math.max(0, sumSq[c] / m - mu[c] * mu[c]);
        }
        INDArray mean = Nd4j.createFromArray(mu).castTo(dataType), var = Nd4j.createFromArray(variance).castTo(dataType);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, s, 'c');
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, mean, var, vector(BatchNormalizationParamInitializer.GAMMA), vector(BatchNormalizationParamInitializer.BETA))
                .addOutputs(out).addIntegerArguments(1, 1, 1).addFloatingPointArguments(layerConf().getEps()).build());
        // Kept outside workspaces: tiny, and needed by the backward pass whatever workspace it runs in.
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            batchMean = mean.detach();
            batchVar = var.detach();
        }
        forInput = input;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (forInput == null || forInput != input || epsilon.dataType() != dataType) {
            return super.backpropGradient(epsilon, workspaceMgr); // no fast forward pass of this input to follow
        }
        INDArray x = input, g = epsilon.ordering() == 'c' && !epsilon.isView() ? epsilon : epsilon.dup('c');
        long[] s = x.shape();
        double m = s[0] * s[2] * s[3];
        double eps = layerConf().getEps();
        INDArray invStd = Transforms.pow(batchVar.add(eps), -0.5, false);
        INDArray gamma = vector(BatchNormalizationParamInitializer.GAMMA);

        INDArray dBeta = channelSums(g);
        INDArray dGamma = channelSums(g.mul(x)).subi(batchMean.mul(dBeta)).muli(invStd);

        INDArray a = gamma.mul(invStd);
        INDArray b = a.mul(invStd).muli(dGamma).divi(-m);
        INDArray d = a.mul(dBeta).divi(-m).subi(b.mul(batchMean));
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, s, 'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(g, a, dx, 1));
        Nd4j.getExecutioner().exec(new AddOp(dx, affine(x, b, d), dx));

        Gradient grad = new DefaultGradient();
        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        dGammaView.assign(dGamma.reshape(dGammaView.shape()));
        dBetaView.assign(dBeta.reshape(dBetaView.shape()));
        grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        runningStatisticsUpdate(grad);
        forInput = null;
        return new Pair<>(grad, backpropDropOutIfPresent(dx));
    }

    /**
     * DL4J's update of the running mean and variance, written as "gradients" of the global statistics that
     * its updater subtracts: mean -= (1 - decay) * (mean - batchMean), and likewise for the variance or, in
     * the log10(std) parameterisation (DL4J's default), log10(std) -= log10(var / var') / 2 where
     * var' = decay * var + (1 - decay) * batchVar.
     */
    private void runningStatisticsUpdate(Gradient grad) {
        double decay = layerConf().getDecay();
        INDArray globalMean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray dMean = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        Nd4j.getExecutioner().exec(new SubOp(globalMean, batchMean.reshape(globalMean.shape()), dMean));
        dMean.muli(1 - decay);
        grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
        if (layerConf().isUseLogStd()) {
            INDArray log10Std = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray dLog = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray var = Transforms.pow(Nd4j.valueArrayOf(log10Std.shape(), 10.0, dataType), log10Std, false);
            var.muli(var);
            INDArray next = var.mul(decay).addi(batchVar.mul(1 - decay).reshape(var.shape()));
            Nd4j.getExecutioner().exec(new DivOp(var, next, dLog));
            Transforms.log(dLog, false);
            dLog.muli(LN10_HALF);
            grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, dLog);
        } else {
            INDArray globalVar = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
            INDArray dVar = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            Nd4j.getExecutioner().exec(new SubOp(globalVar, batchVar.reshape(globalVar.shape()), dVar));
            dVar.muli(1 - decay);
            grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, dVar);
        }
    }

    /**
     * Per-channel sums of an NCHW array, as a [C] vector: sums of the contiguous rows of the array viewed as
     * [N*C, H*W], then over N. (A BLAS matrix-vector product with ones is faster alone, but inside a training
     * step OpenBLAS's threads fight ND4J's OpenMP threads for the two cores: 2.5x slower overall.)
     */
    private INDArray channelSums(INDArray x) {
        long[] s = x.shape();
        return x.reshape('c', s[0] * s[1], s[2] * s[3]).sum(1).reshape(s[0], s[1]).sum(0);
    }

    /** a * x + b per channel, as oneDNN's batch-norm forward with mean 0 and variance 1 - eps. */
    private INDArray affine(INDArray x, INDArray a, INDArray b) {
        double eps = layerConf().getEps();
        long c = x.size(1);
        INDArray out = Nd4j.createUninitialized(dataType, x.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, Nd4j.zeros(dataType, c), Nd4j.valueArrayOf(new long[] {c}, 1 - eps, dataType), a, b)
                .addOutputs(out).addIntegerArguments(1, 1, 1).addFloatingPointArguments(eps).build());
        return out;
    }

    private INDArray vector(String param) {
        INDArray p = getParam(param);
        return p.reshape(p.length());
    }
}
