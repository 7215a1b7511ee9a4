package io.inception4j.weights;

import io.inception4j.config.ConfigException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Puts a checkpoint's tensors into one of our graphs as a {@link WeightMap} says, converting layouts on the
 * way: PyTorch's convolution weights are [out, in, kh, kw] as DL4J's are; dense weights are transposed
 * (PyTorch keeps [out, in], DL4J [in, out]); the first convolution's input channels are reversed when the
 * source takes RGB (our images arrive as DataVec's BGR); BatchNorm's running variance becomes DL4J's
 * log10 of the standard deviation. Every problem is collected and reported at once: tensors the table
 * names that the file lacks, tensors of the file that no row takes (and that are not ignored), shapes that
 * disagree, and parameters of ours that nothing filled. Nothing is left at its random start silently.
 */
public final class Importer {
    private Importer() {}

    /** What was imported: how many tensors and values went where. */
    public record Report(int tensors, long values, int layers) {}

    /** Fills {@code graph} from {@code tensors}; {@code source} names the file in errors. */
    public static Report apply(WeightMap map, Map<String, Tensor> tensors, ComputationGraph graph, Path source) {
        Importer.Run run = new Run(map, tensors, graph);
        for (WeightMap.Row row : map.modules()) run.row(row);
        run.finish();
        if (!run.problems.isEmpty()) {
            int shown = Math.min(run.problems.size(), 25);
            throw new ConfigException(source + " does not fit the table for " + map.source() + " (" + run.problems.size() + " problem"
                    + (run.problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", run.problems.subList(0, shown))
                    + (shown < run.problems.size() ? "\n  ... and " + (run.problems.size() - shown) + " more" : ""));
        }
        return new Report(run.used.size(), run.values, (int) run.filled.stream().map(f -> f.substring(0, f.lastIndexOf(' '))).distinct().count());
    }

    private static final class Run {
        final WeightMap map;
        final Map<String, Tensor> tensors;
        final ComputationGraph graph;
        final List<String> problems = new ArrayList<>();
        final Set<String> used = new LinkedHashSet<>();
        final Set<String> filled = new LinkedHashSet<>(); // "layer param"
        final Set<String> addressed = new LinkedHashSet<>(); // layers some row names: their problems are reported by the row
        long values;

        Run(WeightMap map, Map<String, Tensor> tensors, ComputationGraph graph) {
            this.map = map;
            this.tensors = tensors;
            this.graph = graph;
        }

        void row(WeightMap.Row r) {
            addressed.add(r.to());
            if (r.kind() == WeightMap.Kind.CONV_BN) addressed.add(r.to() + "/bn");
            switch (r.kind()) {
                case CONV_BN -> {
                    conv(r.from() + ".conv", r.to(), false);
                    bn(r.from() + ".bn", r.to() + "/bn");
                }
                case CONV -> conv(r.from(), r.to(), true);
                case LINEAR -> linear(r.from(), r.to());
                case BN -> bn(r.from(), r.to());
            }
        }

        Layer layer(String vertex, String forTensor) {
            Layer l = graph.getVertex(vertex) != null && graph.getVertex(vertex).hasLayer() ? graph.getLayer(vertex) : null;
            if (l == null) problems.add(forTensor + ": our model has no layer '" + vertex + "'");
            return l;
        }

        Tensor tensor(String name) {
            Tensor t = tensors.get(name);
            if (t == null) problems.add(name + ": missing from the file");
            else used.add(name);
            return t;
        }

        void conv(String prefix, String vertex, boolean biasOptional) {
            Tensor w = tensor(prefix + ".weight");
            Layer l = layer(vertex, prefix + ".weight");
            if (w == null || l == null) return;
            float[] values = w.values();
            if (map.inputRgb() && (prefix + ".weight").equals(map.firstConv())) values = reverseInputChannels(w);
            put(l, "W", w.name(), values, w.shape());
            boolean ours = l.paramTable().containsKey("b");
            boolean theirs = tensors.containsKey(prefix + ".bias");
            if (ours && theirs) {
                Tensor b = tensor(prefix + ".bias");
                put(l, "b", b.name(), b.values(), b.shape());
            } else if (ours) {
                problems.add(vertex + ": our convolution has a bias; the file has no " + prefix + ".bias");
            } else if (theirs) {
                used.add(prefix + ".bias");
                problems.add(prefix + ".bias: the file's convolution has a bias; our '" + vertex + "' has none (bias: true in the model config?)");
            }
        }

        void linear(String prefix, String vertex) {
            Tensor w = tensor(prefix + ".weight");
            Tensor b = tensor(prefix + ".bias");
            Layer l = layer(vertex, prefix + ".weight");
            if (w == null || l == null) return;
            if (w.shape().length != 2) {
                problems.add(w.name() + ": expected a matrix [out, in], got " + w.shapeText());
                return;
            }
            int out = (int) w.shape()[0], in = (int) w.shape()[1];
            float[] t = new float[out * in];
            for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) t[i * out + o] = w.values()[o * in + i];
            put(l, "W", w.name() + " (transposed)", t, new long[] {in, out});
            if (b != null) put(l, "b", b.name(), b.values(), b.shape());
        }

        void bn(String prefix, String vertex) {
            Tensor gamma = tensor(prefix + ".weight"), beta = tensor(prefix + ".bias");
            Tensor mean = tensor(prefix + ".running_mean"), var = tensor(prefix + ".running_var");
            Layer l = layer(vertex, prefix + ".weight");
            if (l == null || gamma == null || beta == null || mean == null || var == null) return;
            if (!(l.conf().getLayer() instanceof BatchNormalization conf)) {
                problems.add(prefix + ": our '" + vertex + "' is not a batch normalisation");
                return;
            }
            if (map.bnEps() != null && Math.abs(conf.getEps() - map.bnEps()) > 1e-12) {
                problems.add(prefix + ": the source's BatchNorm eps is " + map.bnEps() + ", our '" + vertex + "' uses " + conf.getEps()
                        + " (set model.defaults.bn.eps)");
            }
            put(l, BatchNormalizationParamInitializer.GAMMA, gamma.name(), gamma.values(), gamma.shape());
            put(l, BatchNormalizationParamInitializer.BETA, beta.name(), beta.values(), beta.shape());
            put(l, BatchNormalizationParamInitializer.GLOBAL_MEAN, mean.name(), mean.values(), mean.shape());
            if (conf.isUseLogStd()) {
                float[] log10Std = new float[var.values().length];
                for (int i = 0; i < log10Std.length; i++) {
                    float v = var.values()[i];
                    if (!(v >= 0)) {
                        problems.add(var.name() + ": running variance " + v + " at channel " + i + " (must be 0 or more)");
                        return;
                    }
                    log10Std[i] = (float) (0.5 * Math.log10(v));
                }
                put(l, BatchNormalizationParamInitializer.GLOBAL_LOG_STD, var.name() + " (as log10 std)", log10Std, var.shape());
            } else {
                put(l, BatchNormalizationParamInitializer.GLOBAL_VAR, var.name(), var.values(), var.shape());
            }
        }

        /** Copies {@code values} into the layer's parameter, which must hold exactly as many in the same shape. */
        void put(Layer l, String param, String what, float[] values, long[] shape) {
            String name = l.conf().getLayer().getLayerName();
            INDArray target = l.paramTable().get(param);
            if (target == null) {
                problems.add(what + ": our '" + name + "' has no parameter " + param);
                return;
            }
            long[] ours = squeeze(target.shape()), theirs = squeeze(shape);
            if (!Arrays.equals(ours, theirs)) {
                problems.add(String.format(Locale.ROOT, "%s: shape %s, but our '%s' %s is %s", what, Arrays.toString(shape), name, param,
                        Arrays.toString(target.shape())));
                return;
            }
            if (!filled.add(name + " " + param)) {
                problems.add(what + ": our '" + name + "' " + param + " is filled twice (two rows map onto it)");
                return;
            }
            l.setParam(param, Nd4j.create(values, target.shape(), 'c').castTo(target.dataType() == DataType.FLOAT ? DataType.FLOAT : target.dataType()));
            this.values += values.length;
        }

        void finish() {
            Set<String> extra = new TreeSet<>();
            for (String name : tensors.keySet()) {
                if (used.contains(name) || map.ignores(name)) continue;
                extra.add(name);
            }
            for (String e : extra) problems.add(e + ": in the file, but no row of the table takes it");
            for (Layer l : graph.getLayers()) {
                String name = l.conf().getLayer().getLayerName();
                if (addressed.contains(name)) continue;
                for (String p : l.paramTable().keySet()) {
                    if (!filled.contains(name + " " + p)) problems.add(name + " " + p + ": nothing in the file fills it (it would stay random)");
                }
            }
        }
    }

    /** The first convolution takes RGB; ours sees BGR: reverse axis 1 of [out, 3, kh, kw]. */
    static float[] reverseInputChannels(Tensor w) {
        long[] s = w.shape();
        if (s.length != 4 || s[1] != 3) throw new ConfigException(w.name() + ": expected [out, 3, kh, kw] for the first convolution, got " + w.shapeText());
        int out = (int) s[0], plane = (int) (s[2] * s[3]);
        float[] v = w.values(), r = new float[v.length];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < 3; c++) System.arraycopy(v, (o * 3 + c) * plane, r, (o * 3 + (2 - c)) * plane, plane);
        }
        return r;
    }

    private static long[] squeeze(long[] shape) {
        return Arrays.stream(shape).filter(d -> d != 1).toArray();
    }
}
