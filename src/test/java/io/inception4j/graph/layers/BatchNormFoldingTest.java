package io.inception4j.graph.layers;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch norms folded into their convolutions predict what the unfolded network predicts, to float rounding:
 * every conv + BN of GoogLeNet and Inception v3, Xception's plain convolutions (its separable ones are not
 * folded). The folded graph has no batch norm (nor the ReLU after it) left for those pairs, and the trained
 * network is unchanged.
 */
class BatchNormFoldingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"googlenet-torchvision, 64, 57", "inception-v3, 75, 94", "xception, 71, 6"})
    void foldedNetworksPredictTheSame(String model, int size, int foldable) {
        var loaded = ModelConfig.load(Path.of("configs/models/" + model + ".yaml"), Overrides.parse(List.of(
                "model.width=0.125", "model.classes=5", "model.aux=false", "model.input=[" + size + "," + size + ",3]")));
        ComputationGraph g = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults()).create();
        Nd4j.getRandom().setSeed(3);
        // Running statistics, scales and shifts far from their initial 0 and 1, as a trained network's are.
        for (var layer : g.getLayers()) {
            if (!(layer instanceof FastBatchNormLayer)) continue;
            layer.getParam(BatchNormalizationParamInitializer.GAMMA).assign(Nd4j.rand(DataType.FLOAT, layer.getParam("gamma").shape()).addi(0.5));
            layer.getParam(BatchNormalizationParamInitializer.BETA).assign(Nd4j.rand(DataType.FLOAT, layer.getParam("beta").shape()).subi(0.5));
            layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).assign(Nd4j.rand(DataType.FLOAT, layer.getParam("mean").shape()).subi(0.5));
            layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).assign(Nd4j.rand(DataType.FLOAT, layer.getParam("log10stdev").shape()).subi(0.5).muli(0.6));
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, size, size);
        INDArray before = g.outputSingle(false, x);
        INDArray trainedParams = g.params().dup();
        assertEquals(foldable, BatchNormFolding.foldable(g));
        ComputationGraph folded = BatchNormFolding.fold(g);
        INDArray after = folded.outputSingle(false, x);
        double scale = Math.max(1, before.amaxNumber().doubleValue());
        assertTrue(before.sub(after).amaxNumber().doubleValue() <= 1e-5 * scale,
                "max difference " + before.sub(after).amaxNumber() + " of " + scale);
        assertEquals(trainedParams, g.params(), "the trained network is left as it was");
        assertEquals(g.outputSingle(false, x), before);
        assertEquals(0, BatchNormFolding.foldable(folded), "folding twice folds nothing");
        long batchNorms = java.util.Arrays.stream(g.getLayers()).filter(l -> l instanceof FastBatchNormLayer).count();
        long left = java.util.Arrays.stream(folded.getLayers()).filter(l -> l instanceof FastBatchNormLayer).count();
        assertEquals(batchNorms - foldable, left, "each folded batch norm is gone from the inference graph");
        assertTrue(folded.getVertices().length < g.getVertices().length || foldable == 0);
    }
}
