package io.inception4j.onnx;

import io.inception4j.data.Preprocessing;
import io.inception4j.inference.Bundle;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.inception4j.onnx.OnnxCheck.attribute;
import static io.inception4j.onnx.OnnxCheck.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each place where DL4J's meaning differs from ONNX's defaults, on a small network built for it: the exported
 * node says the right thing, ONNX Runtime gives DL4J's logits (within 1e-4 of logits of 10), and where a
 * plausible wrong mapping exists, that mapping is shown to be caught (the logits move by far more).
 */
class OnnxSemanticsTest {
    @TempDir
    Path tmp;

    static final double TOLERANCE = OnnxExportTest.TOLERANCE;
    /** A wrong mapping moves logits of 10 by more than this. */
    static final double CAUGHT = 1e-2;

    static final String HEAD = """
            name: probe
            input: [16, 16, 3]
            classes: 4
            defaults:
              conv: {bias: true, bn: false, activation: relu, init: he}
              bn: {eps: 0.001, decay: 0.9}
            blocks:
            """;

    private OnnxCheck.Compared exported(String blocks, boolean fold, String... sets) throws Exception {
        ComputationGraph g = OnnxCheck.network(HEAD + blocks, sets);
        INDArray x = OnnxCheck.batch(3, 16, 9);
        OnnxCheck.Compared c = OnnxCheck.prepareAndCompare(g, x, tmp, fold);
        assertTrue(c.logitDifference() <= TOLERANCE, "largest logit difference " + c.logitDifference());
        assertTrue(c.probabilityDifference() <= TOLERANCE, "largest probability difference " + c.probabilityDifference());
        return c;
    }

    private void caught(OnnxCheck.Compared c, ModelProto wrong, String what) throws Exception {
        INDArray x = OnnxCheck.batch(3, 16, 9);
        double moved = OnnxCheck.difference(c.dl4jLogits(), OnnxCheck.onnxLogits(wrong, x, tmp));
        assertTrue(moved > CAUGHT, what + " would have moved the logits by only " + moved);
    }

    @Test
    void lrnAlphaIsDl4jsTimesTheWindowSize() throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: conv, type: conv, filters: 8, kernel: 3}
                  - {id: lrn, type: lrn, size: 5, alpha: 1.0, beta: 0.75, k: 1}
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false);
        // The block's alpha is Caffe's (divided by the size: DL4J's layer holds 0.2); ONNX divides by the size itself.
        var lrn = node(c.model(), "lrn");
        assertEquals(1.0, attribute(lrn, "alpha").getF(), 1e-6);
        assertEquals(5, attribute(lrn, "size").getI());
        assertEquals(0.75, attribute(lrn, "beta").getF(), 1e-6);
        assertEquals(1.0, attribute(lrn, "bias").getF(), 1e-6);
        caught(c, OnnxCheck.withAttribute(c.model(), "lrn", OnnxGraph.attr("alpha", 0.2)), "DL4J's alpha taken as ONNX's");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nhwc", "nchw"})
    void samePaddingAtStride2PutsTheOddPixelAtTheBottomAndRight(String layout) throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: conv, type: conv, filters: 8, kernel: 3, stride: 2, padding: same}    # 8x8: 1 row of padding, below
                  - {id: pool, type: maxpool, kernel: 3, stride: 2, padding: same}             # 4x4
                  - {id: conv2, type: conv, filters: 8, kernel: 3, stride: 2, pad: 1}          # 2x2: explicit, both sides
                  - {id: valid, type: conv, filters: 8, kernel: 2, padding: valid}             # 1x1
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false, "model.layout=" + layout);
        assertEquals(List.of(0L, 0L, 1L, 1L), attribute(node(c.model(), "conv/conv"), "pads").getIntsList(), "[top, left, bottom, right]");
        assertEquals(List.of(0L, 0L, 1L, 1L), attribute(node(c.model(), "pool"), "pads").getIntsList());
        assertEquals(List.of(1L, 1L, 1L, 1L), attribute(node(c.model(), "conv2/conv"), "pads").getIntsList());
        assertEquals(List.of(0L, 0L, 0L, 0L), attribute(node(c.model(), "valid/conv"), "pads").getIntsList());
        caught(c, OnnxCheck.withAttribute(c.model(), "conv/conv", OnnxGraph.ints("pads", 1, 1, 0, 0)), "PyTorch-style top-left padding");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nhwc", "nchw"})
    void averagePoolingCountsPaddingOnlyWhenTheBlockSaysSo(String layout) throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: conv, type: conv, filters: 8, kernel: 3}
                  - {id: excluded, type: avgpool, kernel: 3, stride: 2, padding: same}                      # TF's SAME, timm
                  - {id: included, type: avgpool, kernel: 3, stride: 1, padding: same, include_pad: true}   # torchvision's
                  - {id: asymmetric, type: avgpool, kernel: 3, stride: 2, padding: same, include_pad: true} # pads 0, 0, 1, 1
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false, "model.layout=" + layout);
        var excluded = node(c.model(), "excluded");
        assertEquals(0, attribute(excluded, "count_include_pad").getI());
        assertEquals(List.of(0L, 0L, 1L, 1L), attribute(excluded, "pads").getIntsList());
        // Counted padding is real zeros (a Pad node, the block's ZeroPaddingLayer), then a window that never overhangs.
        assertEquals("Pad", node(c.model(), "included/pad").getOpType());
        assertEquals(List.of(0L, 0L, 0L, 0L), attribute(node(c.model(), "included"), "pads").getIntsList());
        // Meaningless without pads of its own, and what keeps ONNX Runtime 1.20's Pad fusion right (see Translation).
        assertEquals(1, attribute(node(c.model(), "included"), "count_include_pad").getI());
        caught(c, OnnxCheck.withAttribute(c.model(), "excluded", OnnxGraph.attr("count_include_pad", 1L)), "counting the padding");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nhwc", "nchw"})
    void separableAndDepthwiseConvolutionsAreGroupedConvolutions(String layout) throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: conv, type: conv, filters: 6, kernel: 3}
                  - {id: sep, type: separable_conv, filters: 8, kernel: 3, depth_multiplier: 2, bn: false, bias: true}
                  - {id: dw, type: depthwise_conv, kernel: 3, stride: 2, depth_multiplier: 3, bias: true}
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false, "model.layout=" + layout);
        assertEquals(6, attribute(node(c.model(), "sep/depthwise"), "group").getI(), "one group per input channel");
        assertEquals(8, attribute(node(c.model(), "dw"), "group").getI());
        assertEquals(List.of(12L, 1L, 3L, 3L), weightDims(c.model(), "sep/depthwise/W"), "[C * multiplier, 1, kH, kW]");
        assertEquals(List.of(24L, 1L, 3L, 3L), weightDims(c.model(), "dw/W"));
        assertEquals(List.of(8L, 12L, 1L, 1L), weightDims(c.model(), "sep/pointwise/W"));
    }

    private static List<Long> weightDims(ModelProto m, String name) {
        return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no initializer " + name)).getDimsList();
    }

    static final String BATCH_NORMS = """
              - {id: conv, type: conv, filters: 8, kernel: 3, stride: 2, bn: true, bias: false}
              - id: mixed
                type: branches
                branches:
                  - [{type: conv, filters: 4, kernel: 1, bn: true}]
                  - [{type: separable_conv, filters: 4, kernel: 3, bn: true}]
              - {id: bn, type: batchnorm}
              - {id: relu, type: activation, function: relu}
              - {id: gap, type: global_avgpool}
              - {id: out, type: output}
            """;

    @ParameterizedTest(name = "{0}, folded: {1}")
    @CsvSource({"nhwc, false, 4", "nhwc, true, 2", "nchw, false, 4", "nchw, true, 2"})
    void batchNormIsBatchNormalizationOrFoldedIntoItsConvolution(String layout, boolean fold, long batchNorms) throws Exception {
        OnnxCheck.Compared c = exported(BATCH_NORMS, fold, "model.layout=" + layout);
        // Folded: the two after plain convolutions; the one after a separable convolution and the one on a concat stay.
        assertEquals(batchNorms, c.count("BatchNormalization"));
    }

    @Test
    void inceptionResNetsScaledResidualIsAMulThenAnAdd() throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: stem, type: conv, filters: 8, kernel: 3}
                  - {id: block35, type: residual, scale: 0.17, branches: [[{type: conv, filters: 4, kernel: 1}], [{type: conv, filters: 4, kernel: 3}]]}
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false);
        var mul = node(c.model(), "block35/scale");
        assertEquals("Mul", mul.getOpType());
        var scale = c.model().getGraph().getInitializerList().stream().filter(t -> t.getName().equals(mul.getInput(1))).findFirst().orElseThrow();
        assertEquals(0.17f, java.nio.ByteBuffer.wrap(scale.getRawData().toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(), 1e-7);
        var add = node(c.model(), "block35/add");
        assertEquals("Add", add.getOpType());
        assertTrue(add.getInputList().contains("block35/scale"), "the scaled branch goes into the sum: " + add.getInputList());
    }

    /** Every block type, as LayoutTest's probe (its auxiliary head left out, as in bundles), both layouts, BN folded or not. */
    static final String EVERY_BLOCK = """
              - {id: stem, type: conv, filters: 8, kernel: 3, stride: 2, padding: same, bn: true, bias: false}
              - {id: lrn, type: lrn, size: 5, alpha: 0.01, beta: 0.75}
              - {id: pool, type: maxpool, kernel: 3, stride: 2, padding: valid}
              - {id: v1, type: inception, 1x1: 4, 3x3_reduce: 3, 3x3: 4, 5x5_reduce: 2, 5x5: 3, pool_proj: 3}
              - {id: v2, type: inception_bn, 1x1: 4, 3x3_reduce: 3, 3x3: 4, dbl_3x3_reduce: 2, dbl_3x3: 3, pool: avg, pool_proj: 3}
              - id: mixed
                type: branches
                branches:
                  - [{type: conv, filters: 4, kernel: 1, bn: false, bias: true}]
                  - [{type: conv, filters: 4, kernel: 1, bn: true}, {type: conv, filters: 6, kernel: [1, 3], bn: true}, {type: conv, filters: 6, kernel: [3, 1], pad: [1, 0]}]
                  - [{type: avgpool, kernel: 3, stride: 1, padding: same, include_pad: true}, {type: conv, filters: 4, kernel: 1}]
                  - [{type: avgpool, kernel: 3, stride: 1, padding: same}, {type: depthwise_conv, kernel: 3, depth_multiplier: 2}]
              - id: aux
                type: aux_head
                from: mixed
                blocks:
                  - {type: conv, filters: 3, kernel: 1}
                  - {type: dense, units: 7}
              - {id: sep, type: separable_conv, filters: 8, kernel: 3, depth_multiplier: 2, bn: true, from: mixed}
              - {id: sepb, type: separable_conv, filters: 6, kernel: 3, stride: 2, bn: false, bias: true}
              - {id: block, type: residual, scale: 0.2, branches: [[{type: conv, filters: 4, kernel: 1}], [{type: conv, filters: 4, kernel: 3}]]}
              - {id: bn, type: batchnorm}
              - {id: relu, type: activation, function: relu}
              - {id: fc, type: dense, units: 12}
              - {id: drop, type: dropout, rate: 0.4}
              - {id: out, type: output}
            """;

    @ParameterizedTest(name = "{0}, folded: {1}")
    @CsvSource({"nhwc, false", "nhwc, true", "nchw, false", "nchw, true"})
    void everyBlockTypeInBothLayouts(String layout, boolean fold) throws Exception {
        OnnxCheck.Compared c = exported(EVERY_BLOCK, fold, "model.layout=" + layout, "model.aux=false");
        assertTrue(c.count("Flatten") >= 1, "the dense layer's flatten");
    }

    @Test
    void theModelSaysWhatItTakesAndGivesWithADynamicBatch() throws Exception {
        OnnxCheck.Compared c = exported("""
                  - {id: conv, type: conv, filters: 8, kernel: 3}
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """, false);
        ModelProto m = c.model();
        assertEquals(13, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(List.of("batch:3:16:16"), m.getGraph().getInputList().stream().map(OnnxSemanticsTest::shape).toList());
        assertEquals(List.of("logits", "probabilities"), m.getGraph().getOutputList().stream().map(onnx.Onnx.ValueInfoProto::getName).toList());
        assertEquals(List.of("batch:4", "batch:4"), m.getGraph().getOutputList().stream().map(OnnxSemanticsTest::shape).toList());
        var meta = OnnxExport.metadataOf(m);
        assertEquals("[\"class0\",\"class1\",\"class2\",\"class3\"]", meta.get(OnnxExport.LABELS));
        assertEquals("16", meta.get(OnnxExport.INPUT_HEIGHT));
        assertEquals("16", meta.get(OnnxExport.INPUT_WIDTH));
        assertEquals("NCHW", meta.get(OnnxExport.LAYOUT));
        assertEquals("bgr", meta.get(OnnxExport.CHANNEL_ORDER));
        assertEquals("x / 127.5 - 1", meta.get(OnnxExport.NORMALISATION));
        assertEquals("1.14", meta.get(OnnxExport.RESIZE_RATIO));
        // Any batch size runs: the test batch was 3; one image and seven give the same per-image answers.
        INDArray x = OnnxCheck.batch(7, 16, 2);
        INDArray seven = OnnxCheck.onnxLogits(m, x, tmp);
        INDArray one = OnnxCheck.onnxLogits(m, x.get(NDArrayIndex.interval(4, 5)), tmp);
        assertTrue(OnnxCheck.difference(seven.get(NDArrayIndex.interval(4, 5)), one) < 1e-5);
    }

    private static String shape(onnx.Onnx.ValueInfoProto v) {
        return String.join(":", v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimValue() ? String.valueOf(d.getDimValue()) : d.getDimParam()).toList());
    }

    @Test
    void theInputIsTheBundlesChannelOrderAndTheClassifierFeedsItSo() throws Exception {
        ComputationGraph g = OnnxCheck.network(HEAD + """
                  - {id: conv, type: conv, filters: 8, kernel: 3}
                  - {id: gap, type: global_avgpool}
                  - {id: out, type: output}
                """);
        var info = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        info.put("model", "probe").putObject("preprocessing").put("channel_order", "rgb");
        Bundle rgb = new Bundle(g, List.of("a", "b", "c", "d"), new Preprocessing(16, 16, 1.14), info, "", "");
        ModelProto model = OnnxExport.model(rgb, OnnxExport.Options.defaults());
        assertEquals("rgb", OnnxExport.metadataOf(model).get(OnnxExport.CHANNEL_ORDER));
        Path file = tmp.resolve("rgb.onnx");
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        // Our preprocessing gives BGR; a network trained on RGB gets the channels turned round before it runs.
        INDArray bgr = OnnxCheck.batch(2, 16, 4);
        INDArray reversed = Nd4j.concat(1, bgr.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)), bgr.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)),
                bgr.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
        try (OnnxModel m = OnnxModel.open(file)) {
            assertTrue(OnnxCheck.difference(g.outputSingle(false, reversed), m.probabilities(bgr)) < 1e-6);
        }
        // A bundle built in memory (export from a run) has our pipeline's order: BGR.
        Bundle fresh = new Bundle(g, List.of("a", "b", "c", "d"), new Preprocessing(16, 16, 1.14),
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode(), "", "");
        assertEquals("bgr", OnnxExport.metadataOf(OnnxExport.model(fresh, OnnxExport.Options.defaults())).get(OnnxExport.CHANNEL_ORDER));
    }
}
