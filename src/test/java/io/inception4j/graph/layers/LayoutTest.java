package io.inception4j.graph.layers;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.config.TensorLayout;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code model.layout: nhwc} is the same network as NCHW: the same parameters (so checkpoints, bundles and
 * imported weights load into either), and, for every block type and every shipped config, the same outputs,
 * gradients and parameters after training steps, to float rounding (and to 1e-9 in double precision).
 */
class LayoutTest {
    /** Every block type, with the shapes that matter: stride-2 same padding, an auxiliary head's flattened map. */
    static final String NET = """
            name: layout-probe
            input: [23, 23, 3]
            classes: 5
            defaults:
              conv: {bias: false, bn: true, activation: relu, init: he}
              bn: {eps: 0.001, decay: 0.9}
            blocks:
              - {id: stem, type: conv, filters: 8, kernel: 3, stride: 2, padding: same}        # 12x12
              - {id: lrn, type: lrn, size: 5, alpha: 0.01, beta: 0.75}
              - {id: pool, type: maxpool, kernel: 3, stride: 2, padding: valid}                # 5x5
              - {id: v1, type: inception, 1x1: 4, 3x3_reduce: 3, 3x3: 4, 5x5_reduce: 2, 5x5: 3, pool_proj: 3}
              - id: mixed
                type: branches
                branches:
                  - [{type: conv, filters: 4, kernel: 1, bn: false, bias: true}]
                  - [{type: conv, filters: 4, kernel: 1}, {type: conv, filters: 6, kernel: [1, 3]}, {type: conv, filters: 6, kernel: [3, 1], pad: [1, 0]}]
                  - [{type: avgpool, kernel: 3, stride: 1, padding: same, include_pad: true}, {type: conv, filters: 4, kernel: 1}]
                  - [{type: avgpool, kernel: 3, stride: 1, padding: same}, {type: depthwise_conv, kernel: 3, depth_multiplier: 2}]
              - id: aux
                type: aux_head
                from: mixed
                blocks:
                  - {type: conv, filters: 3, kernel: 1, bn: false, bias: true}
                  - {type: dense, units: 7}
              - {id: sep, type: separable_conv, filters: 8, kernel: 3, depth_multiplier: 2, from: mixed}
              - {id: sepb, type: separable_conv, filters: 6, kernel: 3, stride: 2, bn: false, bias: true}   # 3x3
              - {id: block, type: residual, scale: 0.2, branches: [[{type: conv, filters: 4, kernel: 1}], [{type: conv, filters: 4, kernel: 3}]]}
              - {id: bn, type: batchnorm}
              - {id: relu, type: activation, function: relu}
              - {id: gap, type: global_avgpool}
              - {id: out, type: output}
            """;

    static ComputationGraph probe(TensorLayout layout, Set<FastPath> paths, DataType type) {
        var loaded = ModelConfig.parse("layout-probe", NET, Overrides.parse(List.of("model.layout=" + layout.name().toLowerCase())));
        GraphOptions o = new GraphOptions(42, new Sgd(0.1), 0, 0, type, paths);
        return GraphFactory.standard().blueprint(loaded, o).create();
    }

    @Test
    void separableConvolutionsInNhwcNeedOurLayer() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.inception4j.config.ConfigException.class,
                () -> probe(TensorLayout.NHWC, FastPath.none(), DataType.FLOAT));
        assertTrue(e.getMessage().contains("block 'sep'") || e.getMessage().contains("(sep)"), e.getMessage());
        assertTrue(e.getMessage().contains("separable convolutions need the sepconv fast path"), e.getMessage());
    }

    @Test
    void nhwcBuildsChannelsLastLayersBehindAnNchwInput() {
        ComputationGraph g = probe(TensorLayout.NHWC, FastPath.all(), DataType.FLOAT);
        var stemVertex = (org.deeplearning4j.nn.conf.graph.LayerVertex) g.getConfiguration().getVertices().get("stem");
        assertTrue(stemVertex.getPreProcessor() instanceof ChannelsLast, "callers keep giving NCHW: " + stemVertex.getPreProcessor());
        ComputationGraph nchw = probe(TensorLayout.NCHW, FastPath.all(), DataType.FLOAT);
        assertEquals(List.of(nchw.getConfiguration().getTopologicalOrderStr()), List.of(g.getConfiguration().getTopologicalOrderStr()),
                "the same vertices in the same order: DL4J lays out the parameters in this order");
        var stem = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) g.getLayer("stem").getConfig();
        assertEquals(CNN2DFormat.NHWC, stem.getCnn2dDataFormat());
        assertEquals("FastConvLayer", g.getLayer("stem").getClass().getSimpleName());
        assertEquals(nchw.numParams(), g.numParams());
    }

    /** Ours, and DL4J's own (but for separable convolutions, which need ours in NHWC: see SeparableConv). */
    @Test
    void sameNetworkInDoublePrecisionOnOurLayersAndOnDl4jsOwn() {
        for (Set<FastPath> paths : List.of(FastPath.all(), Set.of(FastPath.SEPCONV))) {
            compare(probe(TensorLayout.NCHW, paths, DataType.DOUBLE), probe(TensorLayout.NHWC, paths, DataType.DOUBLE),
                    23, DataType.DOUBLE, 1e-10, 1e-9, 1e-9);
        }
    }

    /** Float on oneDNN: each layout takes its own kernels, so the results agree to rounding, which two SGD steps grow. */
    @Test
    void sameNetworkInFloatWithOneDnn() {
        compare(probe(TensorLayout.NCHW, FastPath.all(), DataType.FLOAT), probe(TensorLayout.NHWC, FastPath.all(), DataType.FLOAT),
                23, DataType.FLOAT, 2e-5, 2e-4, 2e-3);
    }

    /**
     * A bundle written before layouts existed (the fuzz corpus's, NCHW) still loads as it was, and its weights
     * put into the same network built in NHWC give the same predictions: what {@code train --init} does.
     */
    @Test
    void aBundleFromBeforeLayoutsLoadsAndItsWeightsGiveTheSamePredictionsInNhwc() {
        var bundle = io.inception4j.inference.Bundle.read(Path.of("src/test/resources/io/inception4j/archive/FuzzTargetsTestInputs/bundles/valid.bundle"));
        var loaded = ModelConfig.parse("bundle", bundle.modelYaml(), Overrides.parse(List.of("model.aux=false", "model.layout=nhwc")));
        ComputationGraph nhwc = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults()).create();
        assertEquals(bundle.network().numParams(), nhwc.numParams());
        nhwc.setParams(bundle.network().params());
        int size = loaded.config().height();
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, loaded.config().channels(), size, loaded.config().widthPx());
        FastLayersTest.assertClose(bundle.network().output(false, x)[0], nhwc.output(false, x)[0], 1e-5, "predictions");
    }

    /**
     * Every shipped network, auxiliary heads included, at a sixteenth of its width near its smallest input: in
     * double precision, where any slip shows (a batch norm over 4 images of 1x1 maps turns float rounding into
     * differences of 0.1), and its float inference output, which takes oneDNN's kernels. Double still rounds,
     * and those batch norms amplify it: with OpenBLAS's AVX-512 kernels (OPENBLAS_CORETYPE=SkylakeX, as on Intel
     * machines) Inception v4's gradients, up to 1.3e5 here, came out 1.5e-3 apart between NCHW's OpenBLAS
     * convolution and NHWC's libnd4j one, 1.2e-8 of their scale. A layout slip (a wrong axis or flattening
     * order) is off by the size of the values themselves, so 1e-6 of the scale tells the two apart.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"inception-v1, 64", "googlenet-torchvision, 64", "inception-v2, 64", "inception-v3, 107", "inception-v4, 75",
            "inception-resnet-v1, 75", "inception-resnet-v2, 75", "xception, 71"})
    void everyShippedNetworkIsTheSameInBothLayouts(String model, int size) {
        compare(shipped(model, size, TensorLayout.NCHW, DataType.DOUBLE), shipped(model, size, TensorLayout.NHWC, DataType.DOUBLE),
                size, DataType.DOUBLE, 1e-6, 1e-6, 1e-6);
        ComputationGraph nchw = shipped(model, size, TensorLayout.NCHW, DataType.FLOAT), nhwc = shipped(model, size, TensorLayout.NHWC, DataType.FLOAT);
        nhwc.setParams(nchw.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, size, size);
        FastLayersTest.assertClose(nchw.output(false, x)[0], nhwc.output(false, x)[0], 1e-5, "float inference output");
    }

    private static ComputationGraph shipped(String model, int size, TensorLayout layout, DataType type) {
        var loaded = ModelConfig.load(Path.of("configs/models/" + model + ".yaml"), Overrides.parse(List.of(
                "model.width=0.0625", "model.classes=5", "model.input=[" + size + "," + size + ",3]",
                "model.layout=" + layout.name().toLowerCase())));
        GraphOptions o = new GraphOptions(42, new Sgd(0.05), 0, 0, type, FastPath.all());
        return GraphFactory.standard().blueprint(loaded, o).create();
    }

    /** Runs {@code call} with the random generator at a fixed seed: dropout draws the same masks in both layouts. */
    private static <T> T seeded(java.util.function.Supplier<T> call) {
        Nd4j.getRandom().setSeed(11);
        return call.get();
    }

    private static void seeded(Runnable call) {
        Nd4j.getRandom().setSeed(11);
        call.run();
    }

    /** Same parameters in, then the same outputs, loss, gradients, and parameters after two SGD steps. */
    private static void compare(ComputationGraph a, ComputationGraph b, int size, DataType type, double outputTolerance,
                                double gradientTolerance, double stepTolerance) {
        assertEquals(a.numParams(), b.numParams());
        b.setParams(a.params().dup());
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(type, 4, 3, size, size).muli(4).subi(1);
        INDArray[] y = new INDArray[a.getNumOutputArrays()];
        for (int o = 0; o < y.length; o++) {
            long width = a.output(false, x)[o].size(1);
            y[o] = Nd4j.zeros(type, 4, width);
            for (int i = 0; i < 4; i++) y[o].putScalar(i, (i + o) % width, 1);
        }
        INDArray[] outA = a.output(false, x), outB = b.output(false, x);
        for (int o = 0; o < outA.length; o++) FastLayersTest.assertClose(outA[o], outB[o], outputTolerance, "inference output " + o);
        FastLayersTest.assertClose(seeded(() -> a.output(true, x)[0]), seeded(() -> b.output(true, x)[0]), outputTolerance,
                "training-mode output");
        for (ComputationGraph g : List.of(a, b)) {
            Nd4j.getRandom().setSeed(11); // the same dropout masks in both
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
        }
        assertEquals(a.score(), b.score(), outputTolerance * 10, "score");
        FastLayersTest.assertClose(a.gradient().gradient(), b.gradient().gradient(), gradientTolerance, "gradients");
        MultiDataSet batch = new MultiDataSet(new INDArray[] {x}, y);
        for (int step = 0; step < 2; step++) {
            seeded(() -> a.fit(batch));
            seeded(() -> b.fit(batch));
        }
        FastLayersTest.assertClose(a.params(), b.params(), stepTolerance, "parameters and running statistics after two steps");
    }
}
