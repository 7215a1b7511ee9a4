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
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The computation behind {@link FastBatchNorm}. For training on float input x, NCHW [N, C, H, W] or NHWC
 * [N, H, W, C], with M = N*H*W values per channel:
 *
 * <pre>
 *   forward:   mu = sum(x) / M     var = sum(x^2) / M - mu^2     s = 1 / sqrt(var + eps)
 *              y = a * x + b,  with  a = gamma * s,  b = beta - a * mu
 *   backward:  dBeta = sum(g)      dGamma = s * (sum(g * x) - mu * dBeta)
 *              dx = A * g + B * x + D,  with  A = gamma * s,  B = -gamma * s^2 * dGamma / M,
 *                                             D = -A * dBeta / M - B * mu
 * </pre>
 * Every pass over the activations is one of the few whole-array operations libnd4j runs near memory speed on
 * CPU, measured on Inception v3's shapes: the array is viewed as a matrix [N*C, H*W], whose rows are one
 * image's channel planes (in NHWC, as a matrix [N*H*W, C], one row per pixel); per-row sums are a matrix-vector
 * product with a vector of ones (oneDNN's matmul, several times faster than libnd4j's row reductions), and
 * per-channel coefficients are columns [N*C, 1] (NHWC: a row [1, C]) for the broadcasting {@code multiply} and
 * {@code add} ops (libnd4j's {@code BroadcastMulOp} and oneDNN's plain-layout batch norm are 5-12x slower at
 * these shapes). Per-channel quantities are finished in double precision; the variance is E[x^2] - mu^2, which
 * in float32 loses digits only when |mu| is hundreds of times the standard deviation, which batch norm's own
 * output never is and conv outputs rarely are. The running mean and variance are updated exactly as DL4J does
 * it (through the gradient views of the global statistics), so checkpoints are unchanged; inference is the same
 * per-channel affine map with the running statistics. Anything else (2-d input, locked gamma/beta) is DL4J's
 * own path.
 */
public class FastBatchNormLayer extends BatchNormalization {
    private static final double LN10_HALF = 0.5 / Math.log(10); // d log10(std) = d ln(var) / (2 ln 10)

    /** The batch statistics of the last training forward pass, for its backward pass. */
    private double[] batchMean, batchVar;
    private INDArray forInput;
    /** A column of H*W ones, kept outside workspaces: row sums are products with it. */
    private INDArray ones;
    /** The shape of the last training forward pass when oneDNN 2.5 ran it ({@link OneDnnBatchNorm}), else null. */
    private OneDnnBatchNorm.Key oneDnn;
    /** The batch mean and variance oneDNN wrote, outside workspaces ([C] floats, reused). */
    private INDArray oneDnnMean, oneDnnVariance;
    /** Where oneDNN's batch norm with its ReLU fused in left which outputs the ReLU zeroed. */
    private final OneDnn.Workspace reluWorkspace = new OneDnn.Workspace();
    /** The output of the last training forward pass when the ReLU after it ran as a pass of its own, for backward. */
    private INDArray rectified;

    public FastBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath(INDArray x) {
        return x.rank() == 4 && x.dataType() == dataType
                && dataType.isFPType() && !layerConf().isLockGammaBeta() && x.ordering() == 'c' && !x.isView();
    }

    /** Whether the last training forward pass ran on oneDNN 2.5 (for tests). */
    boolean ranOnOneDnn() {
        return oneDnn != null;
    }

    /** The running variance, from either of DL4J's parameterisations. */
    double[] runningVariance() {
        if (!layerConf().isUseLogStd()) return vector(BatchNormalizationParamInitializer.GLOBAL_VAR);
        double[] var = vector(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
        for (int i = 0; i < var.length; i++) var[i] = Math.pow(100, var[i]); // (10^log10(std))^2
        return var;
    }

    /** Whether a ReLU follows the normalisation inside this layer ({@link FastBatchNorm#isReluAfter()}). */
    boolean reluAfter() {
        return layerConf() instanceof FastBatchNorm b && b.isReluAfter();
    }

    /** The normalised input, rectified if {@link #reluAfter()}: inside oneDNN's kernel where it runs, else in place after. */
    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        rectified = null;
        oneDnn = null;
        INDArray out = normalised(x, training, workspaceMgr);
        if (reluAfter() && oneDnn == null) {
            Nd4j.getExecutioner().exec(new RectifiedLinear(out, out, 0.0));
            if (training == TrainingMode.TRAIN) rectified = out;
        }
        return out;
    }

    private INDArray normalised(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        forInput = null;
        if (!fastPath(x)) {
            return super.preOutput(x, training, workspaceMgr);
        }
        if (training != TrainingMode.TRAIN) {
            return inference(x, workspaceMgr);
        }
        long[] s = x.shape();
        int n = (int) s[0], c = channels(x);
        double m = x.length() / c;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, s, 'c');
        if (oneDnnForward(x, out)) {
            forInput = input;
            return out;
        }
        double[] sum = channelSums(x, n, c, workspaceMgr, ArrayType.FF_WORKING_MEM);
        Nd4j.getExecutioner().exec(new MulOp(x, x, out)); // x^2, in the output array until y overwrites it
        double[] sumSq = channelSums(out, n, c, workspaceMgr, ArrayType.FF_WORKING_MEM);
        batchMean = new double[c];
        batchVar = new double[c];
        for (int i = 0; i < c; i++) {
            batchMean[i] = sum[i] / m;
            batchVar[i] = Math.max(0, sumSq[i] / m - batchMean[i] * batchMean[i]);
        }
        normalise(x, batchMean, batchVar, out);
        forInput = input;
        return out;
    }

    /** The training forward pass in oneDNN 2.5 (NHWC, float), if it takes this one; the statistics land in batchMean and batchVar. */
    private boolean oneDnnForward(INDArray x, INDArray out) {
        oneDnn = null;
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA), beta = getParam(BatchNormalizationParamInitializer.BETA);
        if (!nhwc() || !OneDnnBatchNorm.takes(dataType) || !OneDnn.fits(x) || !OneDnn.fits(gamma) || !OneDnn.fits(beta)) return false;
        int c = channels(x);
        if (oneDnnMean == null || oneDnnMean.length() != c) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                oneDnnMean = Nd4j.create(DataType.FLOAT, c);
                oneDnnVariance = Nd4j.create(DataType.FLOAT, c);
            }
        }
        var key = new OneDnnBatchNorm.Key(x.size(0), x.size(1), x.size(2), c, (float) layerConf().getEps(), reluAfter());
        if (!OneDnnBatchNorm.forward(key, x, gamma, beta, out, oneDnnMean, oneDnnVariance, reluWorkspace)) return false;
        batchMean = oneDnnMean.toDoubleVector();
        batchVar = oneDnnVariance.toDoubleVector();
        oneDnn = key;
        return true;
    }

    /** Inference: normalised with the running mean and variance, as DL4J computes it. */
    private INDArray inference(INDArray x, LayerWorkspaceMgr workspaceMgr) {
        double[] mean = vector(BatchNormalizationParamInitializer.GLOBAL_MEAN), var = runningVariance();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        normalise(x, mean, var, out);
        return out;
    }

    /** out = gamma * (x - mean) / sqrt(var + eps) + beta, computed as the per-channel map a * x + b. */
    private void normalise(INDArray x, double[] mean, double[] var, INDArray out) {
        double[] gamma = vector(BatchNormalizationParamInitializer.GAMMA), beta = vector(BatchNormalizationParamInitializer.BETA);
        double eps = layerConf().getEps();
        double[] a = new double[mean.length], b = new double[mean.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = gamma[i] / Math.sqrt(var[i] + eps);
            b[i] = beta[i] - a[i] * mean[i];
        }
        perChannelAffine(x, a, b, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (rectified != null) { // the ReLU's gradient first: g * (y > 0)
            INDArray masked = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, epsilon.shape(), 'c');
            Nd4j.getExecutioner().exec(new Step(rectified, masked, 0.0));
            Nd4j.getExecutioner().exec(new MulOp(masked, epsilon.castTo(dataType), masked));
            epsilon = masked;
            rectified = null;
        }
        if (forInput == null || forInput != input || epsilon.dataType() != dataType) {
            return super.backpropGradient(epsilon, workspaceMgr); // no fast forward pass of this input to follow
        }
        INDArray x = input, g = epsilon.ordering() == 'c' && !epsilon.isView() ? epsilon : epsilon.dup('c');
        long[] s = x.shape();
        int n = (int) s[0], c = channels(x);
        double m = x.length() / c;
        double eps = layerConf().getEps();
        double[] gamma = vector(BatchNormalizationParamInitializer.GAMMA);

        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, s, 'c');
        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        if (oneDnn != null && OneDnn.fits(g) && OneDnnBatchNorm.backward(oneDnn, x, g, oneDnnMean, oneDnnVariance,
                getParam(BatchNormalizationParamInitializer.GAMMA), getParam(BatchNormalizationParamInitializer.BETA), dx, dGammaView, dBetaView,
                reluWorkspace)) {
            return finish(dGammaView, dBetaView, dx);
        }
        if (oneDnn != null && oneDnn.relu()) throw new IllegalStateException(layerId() + ": the fused ReLU's gradient needs oneDNN's backward pass");
        double[] dBeta = channelSums(g, n, c, workspaceMgr, ArrayType.BP_WORKING_MEM);
        Nd4j.getExecutioner().exec(new MulOp(g, x, dx)); // g * x, in dx until the gradient overwrites it
        double[] sumGx = channelSums(dx, n, c, workspaceMgr, ArrayType.BP_WORKING_MEM);
        double[] dGamma = new double[c], ca = new double[c], cb = new double[c], cd = new double[c];
        for (int i = 0; i < c; i++) {
            double invStd = 1 / Math.sqrt(batchVar[i] + eps);
            dGamma[i] = invStd * (sumGx[i] - batchMean[i] * dBeta[i]);
            ca[i] = gamma[i] * invStd;
            cb[i] = -ca[i] * invStd * dGamma[i] / m;
            cd[i] = -ca[i] * dBeta[i] / m - cb[i] * batchMean[i];
        }
        perChannelAffine(x, cb, cd, dx);                 // B * x + D
        INDArray ag = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, s, 'c');
        perChannelScale(g, ca, ag);
        Nd4j.getExecutioner().exec(new AddOp(dx, ag, dx)); // + A * g

        dGammaView.assign(Nd4j.createFromArray(dGamma).castTo(dataType).reshape(dGammaView.shape()));
        dBetaView.assign(Nd4j.createFromArray(dBeta).castTo(dataType).reshape(dBetaView.shape()));
        return finish(dGammaView, dBetaView, dx);
    }

    /** The gradients in place: gamma's and beta's, the running statistics' update, and the input's. */
    private Pair<Gradient, INDArray> finish(INDArray dGamma, INDArray dBeta, INDArray dx) {
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGamma);
        grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBeta);
        runningStatisticsUpdate(grad);
        forInput = null;
        oneDnn = null;
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
        Nd4j.getExecutioner().exec(new SubOp(globalMean, statistic(batchMean, globalMean), dMean));
        dMean.muli(1 - decay);
        grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
        if (layerConf().isUseLogStd()) {
            INDArray log10Std = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray dLog = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray var = Transforms.pow(Nd4j.valueArrayOf(log10Std.shape(), 10.0, dataType), log10Std, false);
            var.muli(var);
            INDArray next = var.mul(decay).addi(statistic(batchVar, var).muli(1 - decay));
            Nd4j.getExecutioner().exec(new DivOp(var, next, dLog));
            Transforms.log(dLog, false);
            dLog.muli(LN10_HALF);
            grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, dLog);
        } else {
            INDArray globalVar = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
            INDArray dVar = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            Nd4j.getExecutioner().exec(new SubOp(globalVar, statistic(batchVar, globalVar), dVar));
            dVar.muli(1 - decay);
            grad.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, dVar);
        }
    }

    private INDArray statistic(double[] values, INDArray like) {
        return Nd4j.createFromArray(values).castTo(dataType).reshape(like.shape());
    }

    private boolean nhwc() {
        return layerConf().getCnn2DFormat() == CNN2DFormat.NHWC;
    }

    private int channels(INDArray x) {
        return (int) x.size(nhwc() ? 3 : 1);
    }

    /**
     * Per-channel sums. NCHW [N, C, H, W]: row sums of its [N*C, H*W] view, then over N. NHWC [N, H, W, C]: a row
     * of N*H*W ones times its [N*H*W, C] view. The products with ones are libnd4j's {@code matmul} op (oneDNN, on
     * ND4J's OpenMP threads), not {@code Nd4j.gemm}: that goes to OpenBLAS, whose threads fight ND4J's for the
     * two cores (2.5x slower inside a training step).
     */
    private double[] channelSums(INDArray x, int n, int c, LayerWorkspaceMgr workspaceMgr, ArrayType working) {
        boolean nhwc = nhwc();
        long count = nhwc ? x.length() / c : x.size(2) * x.size(3);
        if (ones == null || ones.length() != count || ones.dataType() != dataType) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = nhwc ? Nd4j.ones(dataType, 1, count) : Nd4j.ones(dataType, count, 1);
            }
        }
        if (nhwc) {
            INDArray sums = workspaceMgr.createUninitialized(working, dataType, new long[] {1, c}, 'c');
            Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(ones, pixels(x, c)).addOutputs(sums).build());
            return sums.toDoubleVector();
        }
        INDArray rowSums = workspaceMgr.createUninitialized(working, dataType, new long[] {(long) n * c, 1}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(rows(x), ones).addOutputs(rowSums).build());
        double[] perRow = rowSums.toDoubleVector(), sums = new double[c];
        for (int i = 0; i < perRow.length; i++) sums[i % c] += perRow[i];
        return sums;
    }

    /** out = a * x + b per channel, a and b given per channel. */
    private void perChannelAffine(INDArray x, double[] a, double[] b, INDArray out) {
        perChannelScale(x, a, out);
        INDArray outMatrix = matrix(out, a.length);
        Nd4j.exec(DynamicCustomOp.builder("add").addInputs(outMatrix, coefficients(b, (int) x.size(0))).addOutputs(outMatrix).build());
    }

    /** out = a * x per channel. */
    private void perChannelScale(INDArray x, double[] a, INDArray out) {
        int c = a.length;
        Nd4j.exec(DynamicCustomOp.builder("multiply").addInputs(matrix(x, c), coefficients(a, (int) x.size(0)))
                .addOutputs(matrix(out, c)).build());
    }

    /** The array as the matrix the per-channel coefficients broadcast over: {@link #rows} in NCHW, {@link #pixels} in NHWC. */
    private INDArray matrix(INDArray x, int c) {
        return nhwc() ? pixels(x, c) : rows(x);
    }

    /** Per-channel values as they broadcast over {@link #matrix}: a column [n*C, 1] in NCHW, a row [1, C] in NHWC. */
    private INDArray coefficients(double[] perChannel, int n) {
        return nhwc() ? column(perChannel, 1).reshape(1, perChannel.length) : column(perChannel, n);
    }

    /** An NCHW array viewed as [N*C, H*W]: one row per image and channel. */
    private static INDArray rows(INDArray x) {
        return x.reshape('c', x.size(0) * x.size(1), x.size(2) * x.size(3));
    }

    /** An NHWC array viewed as [N*H*W, C]: one row per pixel. */
    private static INDArray pixels(INDArray x, int c) {
        return x.reshape('c', x.length() / c, c);
    }

    /**
     * A per-channel value repeated for each of n images, as a column [n*C, 1] matching {@link #rows}. Built in
     * Java: a few kilobytes, where a cast and a copy into a workspace array would cost two native calls each.
     */
    private INDArray column(double[] perChannel, int n) {
        int c = perChannel.length;
        if (dataType == DataType.FLOAT) {
            float[] col = new float[n * c];
            for (int i = 0; i < col.length; i++) col[i] = (float) perChannel[i % c];
            return Nd4j.createFromArray(col).reshape(n * c, 1);
        }
        double[] col = new double[n * c];
        for (int i = 0; i < n; i++) System.arraycopy(perChannel, 0, col, i * c, c);
        return Nd4j.createFromArray(col).castTo(dataType).reshape(n * c, 1);
    }

    private double[] vector(String param) {
        return getParam(param).toDoubleVector();
    }
}
