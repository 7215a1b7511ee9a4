package io.inception4j.graph;

import io.inception4j.Cli;
import io.inception4j.Models;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole family, each exactly its reference: DL4J parameter counts (architectures.md's table), output
 * shapes at the reference's named stages, and a forward pass at the native input size.
 */
class FamilyTest {

    @ParameterizedTest(name = "{0}: {1} parameters")
    @CsvSource({
            "inception-v1, 13378280, 6998552",
            "googlenet-torchvision, 13019960, 6639464",
            "inception-v2, 11208192, 11208192",
            "inception-v3, 27197488, 23869000",
            "inception-v4, 42742984, 42742984",
            "inception-resnet-v1, 22783368, 22783368",
            "inception-resnet-v2, 55904008, 55904008",
            "xception, 22910480, 22910480"})
    void parameterCountsAreExact(String model, long shipped, long withoutAux) {
        Blueprint bp = Models.blueprint("configs/models/" + model + ".yaml");
        ComputationGraph g = bp.create();
        assertEquals(shipped, g.numParams());
        assertEquals(withoutAux, ModelSummary.of(bp, g).paramsWithoutAux());
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "inception-v2, Mixed_4a, 14x14x576",
            "inception-v2, Mixed_5c, 7x7x1024",
            "inception-v3, MaxPool_5a_3x3, 35x35x192",
            "inception-v3, Mixed_5d, 35x35x288",
            "inception-v3, Mixed_6e, 17x17x768",
            "inception-v3, Mixed_7c, 8x8x2048",
            "inception-v4, Mixed_5a, 35x35x384",
            "inception-v4, Mixed_6h, 17x17x1024",
            "inception-v4, Mixed_7d, 8x8x1536",
            "inception-resnet-v1, stem_conv6, 35x35x256",
            "inception-resnet-v1, reduction_a, 17x17x896",
            "inception-resnet-v1, block8_5, 8x8x1792",
            "inception-resnet-v2, mixed_5b, 35x35x320",
            "inception-resnet-v2, block17_20, 17x17x1088",
            "inception-resnet-v2, block8_10, 8x8x2080",
            "inception-resnet-v2, conv_7b, 8x8x1536",
            "xception, block4, 19x19x728",
            "xception, block13, 10x10x1024",
            "xception, block14_sepconv2, 10x10x2048"})
    void stageShapesMatchTheReference(String model, String block, String shape) {
        Blueprint bp = Models.blueprint("configs/models/" + model + ".yaml", "model.aux=false");
        assertEquals(shape, bp.blocks().stream().filter(b -> b.id().equals(block)).findFirst().orElseThrow().output().shape());
    }

    @ParameterizedTest(name = "{0} at {1} px")
    @CsvSource({"inception-v2, 224", "inception-v3, 299", "inception-v4, 299", "inception-resnet-v1, 299",
            "inception-resnet-v2, 299", "xception, 299"})
    void forwardPassAtTheNativeSize(String model, int size) {
        Blueprint bp = Models.blueprint("configs/models/" + model + ".yaml");
        ComputationGraph g = bp.create();
        INDArray[] out = g.output(false, Nd4j.rand(DataType.FLOAT, 1, 3, size, size));
        assertEquals(bp.outputCount(), out.length);
        for (INDArray o : out) assertArrayEquals(new long[] {1, 1000}, o.shape());
    }

    @Test
    void v3AuxHeadIsBatchNormalisedAndWeightedPointFour() {
        Blueprint bp = Models.blueprint("configs/models/inception-v3.yaml");
        assertEquals(1, bp.auxOutputs().size());
        assertTrue(bp.configuration().getVertices().containsKey("AuxLogits/Conv2d_1b_1x1/bn"));
        var layer = (org.deeplearning4j.nn.conf.layers.OutputLayer)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) bp.configuration().getVertices().get("AuxLogits/classifier")).getLayerConf().getLayer();
        var loss = (org.nd4j.linalg.lossfunctions.impl.LossMCXENT) layer.getLossFn();
        assertEquals(0.4, loss.getWeights().getDouble(0), 1e-6);
    }

    @Test
    void smallerInputsWorkWhereTheArchitectureAllowsAndTheErrorNamesTheMinimum() {
        ComputationGraph g = Models.blueprint("configs/models/inception-v3.yaml", "model.input=[160,160,3]").create();
        assertArrayEquals(new long[] {1, 1000}, g.output(false, Nd4j.rand(DataType.FLOAT, 1, 3, 160, 160))[0].shape());

        Cli r = Cli.run("summary", "configs/models/inception-v3.yaml", "--set", "model.input=[64,64,3]", "--set", "model.aux=false");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("the input 64x64 is too small for inception-v3: the smallest input that works is 75x75"), r.err());
    }

    @Test
    void v4OptionalAuxHeadBuilds() {
        Blueprint bp = Models.blueprint("configs/models/inception-v4.yaml", "model.aux=true");
        assertEquals(2, bp.outputCount());
    }
}
