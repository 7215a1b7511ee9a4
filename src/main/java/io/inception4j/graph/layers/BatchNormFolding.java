package io.inception4j.graph.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Folds each batch norm into the convolution before it, for inference: y = a * conv(x, W) + b' with
 * a = gamma / sqrt(var + eps) and b' = beta + a * (bias - mean) is conv(x, a * W) + b', so the convolution
 * takes the scaled weights and b' as its bias (added inside oneDNN's kernel) and the batch norm passes its input
 * through: one pass over every activation less per convolution. Exact to float rounding. Applies where an NHWC
 * {@link FastConvLayer} feeds only a {@link FastBatchNormLayer}; a {@link FastReluLayer} that is the batch norm's
 * only consumer is then applied by the convolution to its own fresh output, in place (no array of its own). The
 * graph is for inference from then on (folded layers refuse training).
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    /** Folds every foldable pair of {@code graph}, in place; returns how many. */
    public static int fold(ComputationGraph graph) {
        int folded = 0;
        for (GraphVertex v : graph.getVertices()) {
            if (!v.hasLayer() || !(v.getLayer() instanceof FastBatchNormLayer bn) || bn.folded()) continue;
            VertexIndices[] in = v.getInputVertices();
            if (in == null || in.length != 1) continue;
            GraphVertex before = graph.getVertices()[in[0].getVertexIndex()];
            if (!before.hasLayer() || !(before.getLayer() instanceof FastConvLayer conv) || !conv.nhwc()) continue;
            if (before.getOutputVertices() == null || before.getOutputVertices().length != 1) continue; // another consumer needs the raw output
            foldInto(conv, bn);
            folded++;
            VertexIndices[] after = v.getOutputVertices();
            if (after != null && after.length == 1) {
                GraphVertex next = graph.getVertices()[after[0].getVertexIndex()];
                if (next.hasLayer() && next.getLayer() instanceof FastReluLayer relu) {
                    conv.reluInPlace();
                    relu.markFused();
                }
            }
        }
        return folded;
    }

    private static void foldInto(FastConvLayer conv, FastBatchNormLayer bn) {
        double[] gamma = bn.getParam(BatchNormalizationParamInitializer.GAMMA).toDoubleVector();
        double[] beta = bn.getParam(BatchNormalizationParamInitializer.BETA).toDoubleVector();
        double[] mean = bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).toDoubleVector();
        double[] var = bn.runningVariance();
        double eps = bn.layerConf().getEps();
        int c = gamma.length;
        double[] bias = conv.hasBias() ? conv.getParam(ConvolutionParamInitializer.BIAS_KEY).toDoubleVector() : new double[c];
        double[] scale = new double[c], shift = new double[c];
        for (int i = 0; i < c; i++) {
            scale[i] = gamma[i] / Math.sqrt(var[i] + eps);
            shift[i] = beta[i] + scale[i] * (bias[i] - mean[i]);
        }
        INDArray w = conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY); // [out, in, kH, kW]: a view into the parameters
        INDArray perOut = Nd4j.createFromArray(scale).castTo(w.dataType()).reshape(c, 1);
        w.assign(w.reshape('c', c, w.length() / c).mulColumnVector(perOut).reshape('c', w.shape()));
        conv.foldedBias(Nd4j.createFromArray(shift).castTo(w.dataType()));
        bn.markFolded();
    }
}
