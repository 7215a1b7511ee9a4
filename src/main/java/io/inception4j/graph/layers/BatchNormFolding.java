package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inference network of a trained one, with each batch norm folded into the convolution before it:
 * y = a * conv(x, W) + b' with a = gamma / sqrt(var + eps) and b' = beta + a * (bias - mean) is conv(x, a * W) + b',
 * so the convolution takes the scaled weights and b' as its bias (added inside oneDNN's kernel). A ReLU that is
 * the batch norm's only consumer (or the batch norm's own, {@link FastBatchNorm#isReluAfter()}) becomes the
 * convolution's own activation (fused into oneDNN's kernel). Exact to float
 * rounding. Applies where an NHWC {@link FastConv} feeds only a {@link FastBatchNorm}.
 *
 * <p>The folded batch norms and ReLUs are removed from the graph rather than left to pass their input through:
 * DL4J gives every vertex's output a workspace of its own during inference, so a vertex that passes its input on
 * must copy it (12% of GoogLeNet's inference time, measured with {@code PHASE=inference scripts/profile-layers}).
 * The trained network is left as it was; the folded one is an ordinary graph with fewer vertices.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    /**
     * One foldable pair: the convolution, its batch norm, the ReLU layer after it (null if none), and whether the
     * batch norm applies a ReLU itself ({@link FastBatchNorm#isReluAfter()}).
     */
    private record Pair(String conv, String batchNorm, String relu, boolean reluInBatchNorm) {
        boolean rectified() {
            return relu != null || reluInBatchNorm;
        }
    }

    /** How many convolution + batch norm pairs {@link #fold} would fold in {@code graph}. */
    public static int foldable(ComputationGraph graph) {
        return pairs(graph).size();
    }

    /**
     * The network {@code graph} computes at inference, with every foldable pair folded; {@code graph} itself when
     * none is. {@code graph} is not changed.
     */
    public static ComputationGraph fold(ComputationGraph graph) {
        List<Pair> pairs = pairs(graph);
        if (pairs.isEmpty()) return graph;
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, String> replacedBy = new LinkedHashMap<>();
        for (Pair p : pairs) {
            var conv = (FastConv) ((LayerVertex) conf.getVertices().get(p.conv())).getLayerConf().getLayer();
            conv.setHasBias(true);
            if (p.rectified()) conv.setActivationFn(new FastReluActivation());
            replacedBy.put(p.batchNorm(), p.conv());
            if (p.relu() != null) replacedBy.put(p.relu(), p.conv());
        }
        for (String removed : replacedBy.keySet()) {
            conf.getVertices().remove(removed);
            conf.getVertexInputs().remove(removed);
        }
        for (List<String> inputs : conf.getVertexInputs().values()) inputs.replaceAll(name -> replacedBy.getOrDefault(name, name));
        conf.getNetworkOutputs().replaceAll(name -> replacedBy.getOrDefault(name, name));

        ComputationGraph folded = new ComputationGraph(conf);
        folded.init();
        for (var layer : folded.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            var trained = graph.getLayer(name).paramTable();
            for (var param : layer.paramTable().entrySet()) {
                if (trained.containsKey(param.getKey())) param.getValue().assign(trained.get(param.getKey()));
            }
        }
        for (Pair p : pairs) {
            foldInto(folded.getLayer(p.conv()), (FastBatchNormLayer) graph.getLayer(p.batchNorm()), graph.getLayer(p.conv()).getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                    graph.getLayer(p.conv()).paramTable().get(ConvolutionParamInitializer.BIAS_KEY));
        }
        return folded;
    }

    private static List<Pair> pairs(ComputationGraph graph) {
        List<Pair> pairs = new ArrayList<>();
        for (GraphVertex v : graph.getVertices()) {
            if (!v.hasLayer() || !(v.getLayer() instanceof FastBatchNormLayer bn)) continue;
            var in = v.getInputVertices();
            if (in == null || in.length != 1) continue;
            GraphVertex before = graph.getVertices()[in[0].getVertexIndex()];
            if (!before.hasLayer() || !(before.getLayer() instanceof FastConvLayer conv) || !conv.nhwc()) continue;
            if (before.getOutputVertices() == null || before.getOutputVertices().length != 1) continue; // another consumer needs the raw output
            if (graph.getConfiguration().getNetworkOutputs().contains(before.getVertexName())) continue;
            String relu = null;
            var after = v.getOutputVertices();
            if (!bn.reluAfter() && after != null && after.length == 1 && !graph.getConfiguration().getNetworkOutputs().contains(v.getVertexName())) {
                GraphVertex next = graph.getVertices()[after[0].getVertexIndex()];
                if (next.hasLayer() && next.getLayer() instanceof FastReluLayer) relu = next.getVertexName();
            }
            pairs.add(new Pair(before.getVertexName(), v.getVertexName(), relu, bn.reluAfter()));
        }
        return pairs;
    }

    /** Writes the folded weights and bias of {@code conv} (the new graph's) from the trained weights and batch norm. */
    private static void foldInto(org.deeplearning4j.nn.api.Layer conv, FastBatchNormLayer bn, INDArray trainedWeights, INDArray trainedBias) {
        double[] gamma = bn.getParam(BatchNormalizationParamInitializer.GAMMA).toDoubleVector();
        double[] beta = bn.getParam(BatchNormalizationParamInitializer.BETA).toDoubleVector();
        double[] mean = bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).toDoubleVector();
        double[] var = bn.runningVariance();
        double eps = bn.layerConf().getEps();
        int c = gamma.length;
        double[] bias = trainedBias != null ? trainedBias.toDoubleVector() : new double[c];
        double[] scale = new double[c], shift = new double[c];
        for (int i = 0; i < c; i++) {
            scale[i] = gamma[i] / Math.sqrt(var[i] + eps);
            shift[i] = beta[i] + scale[i] * (bias[i] - mean[i]);
        }
        INDArray w = conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY); // [out, in, kH, kW]: a view into the parameters
        INDArray perOut = Nd4j.createFromArray(scale).castTo(w.dataType()).reshape(c, 1);
        w.assign(trainedWeights.reshape('c', c, w.length() / c).mulColumnVector(perOut).reshape('c', w.shape()));
        conv.getParam(ConvolutionParamInitializer.BIAS_KEY).assign(Nd4j.createFromArray(shift).castTo(w.dataType()).reshape(
                conv.getParam(ConvolutionParamInitializer.BIAS_KEY).shape()));
    }
}
