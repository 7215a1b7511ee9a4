package io.inception4j.graph.layers;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our fast layers compute what DL4J's stock layers compute: the same outputs, the same gradients and the
 * same running statistics, in double precision (where any formula slip shows) and in float with oneDNN and
 * workspaces (the path training takes); the LRN gradient against a numerical one, since DL4J's own LRN
 * gradient is an approximation.
 */
class FastLayersTest {
    /** Every block kind whose layers have fast versions, in the shapes the Inception family uses them. */
    static final String NET = """
            name: fast-paths-probe
            input: [19, 19, 3]
            classes: 5
            defaults:
              conv: {bias: false, bn: true, activation: relu, init: he}
              bn: {eps: 0.001, decay: 0.9}
            blocks:
              - {id: stem, type: conv, filters: 8, kernel: 3, stride: 2, padding: valid}       # conv + BN + ReLU
              - {id: pool, type: maxpool, kernel: 3, stride: 2, padding: valid}                # 9x9 -> 4x4
              - id: mixed                                                                      # an Inception-v3 module
                type: branches
                branches:
                  - [{type: conv, filters: 4, kernel: 1}]
                  - [{type: conv, filters: 4, kernel: 1}, {type: conv, filters: 6, kernel: [1, 3]}, {type: conv, filters: 6, kernel: [3, 1]}]
                  - [{type: avgpool, kernel: 3, stride: 1}, {type: conv, filters: 4, kernel: 1}]
                  - [{type: maxpool, kernel: 3, stride: 1, padding: same}, {type: conv, filters: 4, kernel: 1}]
              - {id: sep, type: separable_conv, filters: 8, kernel: 3, depth_multiplier: 2}     # Xception's: BN after, 4x4
              - {id: sepb, type: separable_conv, filters: 6, kernel: 3, stride: 2, bn: false, bias: true}  # its ReLU and bias built in, 2x2
              - {id: block, type: residual, scale: 0.2, branches: [[{type: conv, filters: 4, kernel: 1}], [{type: conv, filters: 4, kernel: 3}]]}
              - {id: bn, type: batchnorm}
              - {id: relu, type: activation, function: relu}
              - {id: plain, type: conv, filters: 6, kernel: 1, bn: false, bias: true}           # conv with its ReLU built in
              - {id: gap, type: global_avgpool}
              - {id: out, type: output}
            """;

    /**
     * Stock DL4J layers in DL4J's own layout (NCHW; in NHWC its separable convolution cannot feed its batch norm,
     * see SeparableConv), against ours in the default layout.
     */
    static ComputationGraph build(boolean fast, DataType type) {
        var loaded = ModelConfig.parse("fast-paths-probe", NET, fast ? Overrides.none() : Overrides.parse(List.of("model.layout=nchw")));
        GraphOptions o = GraphOptions.defaults();
        o = new GraphOptions(o.seed(), new Sgd(0.1), 0, 0, type, fast ? FastPath.all() : FastPath.none());
        return GraphFactory.standard().blueprint(loaded, o).create();
    }

    @Test
    void theFastGraphUsesOurLayersAndCachesPreActivations() {
        ComputationGraph fast = build(true, DataType.FLOAT), stock = build(false, DataType.FLOAT);
        Set<String> fastKinds = kinds(fast), stockKinds = kinds(stock);
        assertTrue(fastKinds.containsAll(List.of("FastBatchNormLayer", "FastReluLayer", "FastMaxPoolLayer", "FastSeparableConvLayer")), fastKinds.toString());
        assertTrue(stockKinds.stream().noneMatch(k -> k.startsWith("Fast")), stockKinds.toString());
        assertEquals(CacheMode.DEVICE, fast.getConfiguration().getCacheMode());
        for (String id : List.of("plain", "sepb")) {
            var conv = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) fast.getLayer(id).getConfig();
            assertTrue(conv.getActivationFn() instanceof FastReluActivation, id + ": " + conv.getActivationFn().getClass());
        }
        assertEquals(CacheMode.NONE, stock.getConfiguration().getCacheMode());
        assertEquals(stock.numParams(), fast.numParams());
        // conv + BN + ReLU: the ReLU is the batch norm's own (one vertex fewer); a ReLU block stays a layer.
        assertTrue(((FastBatchNorm) fast.getLayer("stem/bn").getConfig()).isReluAfter());
        assertEquals(null, fast.getVertex("stem/relu"));
        assertTrue(stock.getVertex("stem/relu") != null);
    }

    @Test
    void sameOutputsGradientsAndStatisticsInDoublePrecision() {
        compare(DataType.DOUBLE, 1e-10, 1e-9);
    }

    @Test
    void sameOutputsAndGradientsInFloatWithOneDnnAndWorkspaces() {
        compare(DataType.FLOAT, 1e-5, 2e-4);
    }

    private static void compare(DataType type, double outputTolerance, double gradientTolerance) {
        ComputationGraph stock = build(false, type), fast = build(true, type);
        // By name: the fast graph has fewer vertices (ReLUs inside batch norms), so its flattened order differs.
        stock.paramTable().forEach((name, value) -> fast.paramTable().get(name).assign(value));
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(type, 6, 3, 19, 19).muli(4).subi(1);
        INDArray y = Nd4j.zeros(type, 6, 5);
        for (int i = 0; i < 6; i++) y.putScalar(i, i % 5, 1);

        assertClose(stock.outputSingle(false, x), fast.outputSingle(false, x), outputTolerance, "inference output");
        assertClose(stock.outputSingle(true, x), fast.outputSingle(true, x), outputTolerance, "training-mode output");
        for (ComputationGraph g : List.of(stock, fast)) {
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
        }
        assertEquals(stock.score(), fast.score(), outputTolerance * 10, "score");
        var fastGradients = fast.gradient().gradientForVariable();
        stock.gradient().gradientForVariable().forEach((name, g) -> assertClose(g, fastGradients.get(name), gradientTolerance, name + " gradient"));

        // Two SGD steps: parameters, including the running mean and variance of every batch norm, stay equal.
        MultiDataSet batch = new MultiDataSet(x, y);
        for (int step = 0; step < 2; step++) {
            stock.fit(batch);
            fast.fit(batch);
        }
        stock.paramTable().forEach((name, value) -> assertClose(value, fast.paramTable().get(name), gradientTolerance,
                name + " (parameters and running statistics) after two steps"));
        assertClose(stock.outputSingle(false, x), fast.outputSingle(false, x), gradientTolerance, "inference after training");
    }

    @Test
    void fastLrnMatchesDl4jForwardAndTheNumericalGradient() {
        int n = 5, c = 12, h = 3, w = 4;
        double k = 1, alpha = 0.01, beta = 0.75;
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, c, h, w).muli(6).subi(1);
        INDArray g = Nd4j.rand(DataType.DOUBLE, 2, c, h, w).subi(0.5);

        Layer stock = lrnLayer(new org.deeplearning4j.nn.conf.layers.LocalResponseNormalization.Builder()
                .n(n).k(k).alpha(alpha).beta(beta).build(), c, h, w);
        Layer fast = lrnLayer(new FastLrn(n, k, alpha, beta), c, h, w);
        assertTrue(fast instanceof FastLrnLayer);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        stock.setInput(x, none);
        fast.setInput(x, none);
        assertClose(stock.activate(true, none), fast.activate(true, none), 1e-12, "forward");

        INDArray numeric = Nd4j.zeros(DataType.DOUBLE, x.shape());
        double step = 1e-6;
        for (long i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            x.putScalar(i, v + step);
            double plus = lrnForward(stock, x).mul(g).sumNumber().doubleValue();
            x.putScalar(i, v - step);
            double minus = lrnForward(stock, x).mul(g).sumNumber().doubleValue();
            x.putScalar(i, v);
            numeric.putScalar(i, (plus - minus) / (2 * step));
        }
        fast.setInput(x, none);
        fast.activate(true, none);
        assertClose(numeric, fast.backpropGradient(g, none).getSecond(), 1e-8, "gradient after a training forward pass");
        fast.setInput(x, none); // backward without a preceding forward pass computes the scale itself
        assertClose(numeric, fast.backpropGradient(g, none).getSecond(), 1e-8, "gradient without a forward pass");
    }

    /**
     * oneDNN's kernel and libnd4j's own loops give the same values and route each gradient to the same input,
     * also where a window holds several equal maxima (the zeros after a ReLU, a plateau), and both agree with
     * DL4J's stock layer; valid and same padding; also during the timing itself. Equal within float rounding:
     * where windows overlap, the backward sums come out in different orders (see the next test).
     */
    @Test
    void bothMaxPoolingKernelsAgreeWithEachOtherAndWithDl4j() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 11, 11);
        x.put(new INDArrayIndex[]{NDArrayIndex.point(1),
                NDArrayIndex.point(2)}, 0.5); // a plateau: every window ties
        x = Transforms.relu(x, true);  // and the zeros of a ReLU
        for (var mode : List.of(ConvolutionMode.Truncate, ConvolutionMode.Same)) {
            int stride = mode == ConvolutionMode.Same ? 1 : 2;
            var builder = new SubsamplingLayer.Builder(
                    SubsamplingLayer.PoolingType.MAX, new int[]{3, 3}, new int[]{stride, stride})
                    .convolutionMode(mode);
            Layer stock = poolLayer(builder.build()), fast = poolLayer(new FastMaxPool(builder));
            assertTrue(fast instanceof FastMaxPoolLayer);
            LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
            stock.setInput(x, none);
            INDArray expected = stock.activate(true, none);
            INDArray g = Nd4j.rand(DataType.FLOAT, expected.shape());
            INDArray expectedGrad = stock.backpropGradient(g, none).getSecond();
            try {
                // First unforced: this shape is new, so the choice times both kernels, each writing the same
                // output array twice; the values must not accumulate.
                for (Boolean oneDnn : Arrays.asList(null, true, false)) {
                    PoolKernelChoice.force(oneDnn);
                    String what = mode + (oneDnn == null ? ", while timing" : oneDnn ? ", oneDNN" : ", libnd4j's loops");
                    fast.setInput(x, none);
                    assertEquals(expected, fast.activate(true, none), what + ": forward");
                    assertEquals(expectedGrad, fast.backpropGradient(g, none).getSecond(), what + ": gradient");
                }
            } finally {
                PoolKernelChoice.force(null);
            }
        }
    }

    /**
     * Backward max pooling is never timed: the two kernels sum overlapping windows' gradients in different orders,
     * so a timed choice made the bits depend on the machine's load (and a resumed run differ from an unbroken one).
     * Unforced, on a shape no test has met, it gives exactly the bits of the kernel the size rule names.
     */
    @Test
    void maxPoolingBackwardGivesTheRulesBitsWhateverTheTiming() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Transforms.relu(Nd4j.randn(DataType.FLOAT, 4, 8, 23, 23), true);
        var builder = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[]{3, 3}, new int[]{1, 1})
                .convolutionMode(ConvolutionMode.Same); // stride 1: every input is in up to 9 windows
        Layer fast = poolLayer(new FastMaxPool(builder), 23, 8);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        fast.setInput(x, none);
        INDArray g = Nd4j.rand(DataType.FLOAT, fast.activate(true, none).shape());
        INDArray unforced = fast.backpropGradient(g, none).getSecond().dup();
        try {
            PoolKernelChoice.force(23 * 23 < PoolKernelChoice.OWN_LOOPS_FROM_PIXELS);
            assertEquals(0.0, fast.backpropGradient(g, none).getSecond().sub(unforced).amaxNumber().doubleValue(), "bit for bit");
        } finally {
            PoolKernelChoice.force(null);
        }
    }

    private static Layer poolLayer(SubsamplingLayer conf) {
        return poolLayer(conf, 11, 3);
    }

    private static Layer poolLayer(SubsamplingLayer conf, int size, int channels) {
        var list = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list().layer(conf)
                .setInputType(InputType.convolutional(size, size, channels)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(list);
        net.init();
        return net.getLayer(0);
    }

    @Test
    void savedModelsLoadBackWithTheFastLayers(@TempDir Path dir) throws Exception {
        ComputationGraph fast = build(true, DataType.FLOAT);
        File f = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(fast, f, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(kinds(fast), kinds(back));
        assertEquals(fast.getConfiguration().toJson(), back.getConfiguration().toJson());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 19, 19);
        assertClose(fast.outputSingle(false, x), back.outputSingle(false, x), 0, "restored model output");
    }

    private static Layer lrnLayer(org.deeplearning4j.nn.conf.layers.LocalResponseNormalization conf, int c, int h, int w) {
        var list = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list().layer(conf)
                .setInputType(InputType.convolutional(h, w, c)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(list);
        net.init();
        return net.getLayer(0);
    }

    private static INDArray lrnForward(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
    }

    private static Set<String> kinds(ComputationGraph g) {
        return Arrays.stream(g.getLayers()).map(l -> l.getClass().getSimpleName()).collect(Collectors.toSet());
    }

    /** |a - b| <= tolerance * max(1, max |a|), elementwise. */
    static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (scale " + scale + ", tolerance "
                + tolerance + ")");
    }
}
