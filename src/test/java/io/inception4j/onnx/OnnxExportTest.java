package io.inception4j.onnx;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped network, exported and run in ONNX Runtime, gives DL4J's logits on the same batch: the largest
 * difference at most 1e-4 with logits scaled as a trained network's (largest {@value OnnxCheck#LOGIT_SCALE}).
 * Random weights, random batch-norm statistics; a quarter of the width at a small input (the same layers and
 * the same graph as full width, in a fraction of the time), in the default NHWC layout and in NCHW.
 */
class OnnxExportTest {
    @TempDir
    Path tmp;

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} at {1} px, {2}")
    @CsvSource({"inception-v1, 64, nhwc", "googlenet-torchvision, 64, nhwc", "inception-v2, 64, nhwc", "inception-v3, 107, nhwc",
            "inception-v4, 75, nhwc", "inception-resnet-v1, 75, nhwc", "inception-resnet-v2, 75, nhwc", "xception, 71, nhwc",
            "inception-v1, 64, nchw", "inception-v2, 64, nchw", "inception-resnet-v2, 75, nchw", "xception, 71, nchw"})
    void everyShippedNetworkGivesDl4jsLogitsInOnnxRuntime(String model, int size, String layout) throws Exception {
        var g = OnnxCheck.shipped(model, size, 0.25, layout);
        INDArray x = OnnxCheck.batch(3, size, 5);
        OnnxCheck.Compared c = OnnxCheck.prepareAndCompare(g, x, tmp, false);
        System.out.printf("%s %s at %d: largest logit difference %.3g (largest logit %.3g), probabilities %.3g%n", model, layout, size,
                c.logitDifference(), c.largestLogit(), c.probabilityDifference());
        assertEquals(OnnxCheck.LOGIT_SCALE, c.largestLogit(), 1e-3);
        assertTrue(c.logitDifference() <= TOLERANCE, model + ": largest logit difference " + c.logitDifference());
        assertTrue(c.probabilityDifference() <= TOLERANCE, model + ": largest probability difference " + c.probabilityDifference());
    }

    /**
     * torchvision's Inception v3 as imported (configs/weights/torchvision-inception-v3.yaml): its average pools
     * count the padding, which the export writes as zero padding then a pool; batch norms folded, as a consumer
     * without a graph optimiser would want them.
     */
    @org.junit.jupiter.api.Test
    void torchvisionsInceptionV3WithCountedPaddingAndFoldedBatchNorms() throws Exception {
        var loaded = io.inception4j.config.ModelConfig.load(Path.of("configs/models/inception-v3.yaml"), io.inception4j.config.Overrides.parse(
                java.util.List.of("model.width=0.25", "model.classes=5", "model.aux=false", "model.input=[107,107,3]",
                        "model.defaults.avgpool.include_pad=true")));
        var g = io.inception4j.graph.GraphFactory.standard().blueprint(loaded, io.inception4j.graph.GraphOptions.defaults()).create();
        OnnxCheck.Compared c = OnnxCheck.prepareAndCompare(g, OnnxCheck.batch(3, 107, 5), tmp, true);
        assertEquals(0, c.count("BatchNormalization"), "every batch norm follows a plain convolution");
        assertTrue(c.count("Pad") > 0, "counted padding is zero padding");
        assertTrue(c.logitDifference() <= TOLERANCE, "largest logit difference " + c.logitDifference());
    }
}
