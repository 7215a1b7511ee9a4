package io.inception4j.graph;

import io.inception4j.Models;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GoogLeNet as Caffe's bvlc_googlenet: exact parameter counts, three outputs, shapes at 224 and 128 px. */
class GoogLeNetTest {
    static final String V1 = "configs/models/inception-v1.yaml";

    @Test
    void parameterCountsMatchCaffeWithAndWithoutAuxHeads() {
        Blueprint withAux = Models.blueprint(V1);
        ComputationGraph g = withAux.create();
        assertEquals(13_378_280L, g.numParams());
        assertEquals(3, g.getConfiguration().getNetworkOutputs().size());

        ComputationGraph noAux = Models.blueprint(V1, "model.aux=false").create();
        assertEquals(6_998_552L, noAux.numParams());
        assertEquals(1, noAux.getConfiguration().getNetworkOutputs().size());
    }

    @Test
    void forwardAt224GivesAThousandClassesPerHead() {
        Blueprint bp = Models.blueprint(V1);
        ComputationGraph g = bp.create();
        assertEquals("loss3/classifier", g.getConfiguration().getNetworkOutputs().get(0));
        INDArray[] out = g.output(false, Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 224, 224));
        assertEquals(3, out.length);
        for (INDArray o : out) {
            assertArrayEquals(new long[] {2, 1000}, o.shape());
            assertEquals(2.0, o.sumNumber().doubleValue(), 1e-3, "softmax rows sum to 1");
        }
    }

    @Test
    void otherInputSizesBuildWithAdaptedPoolingAndTheSummarySaysSo() {
        Blueprint bp = Models.blueprint(V1, "model.input=[128,128,3]", "model.classes=17");
        ComputationGraph g = bp.create();
        INDArray[] out = g.output(false, Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 128, 128));
        for (INDArray o : out) assertArrayEquals(new long[] {1, 17}, o.shape());

        ModelSummary s = ModelSummary.of(bp, g);
        assertEquals("8x8x512", s.row("inception_4a").output());
        assertTrue(s.row("loss1").notes().contains("adaptive 2x2/2 on 8x8"), s.row("loss1").notes());
        assertTrue(s.row("pool5/7x7_s1").notes().contains("global 4x4"), s.row("pool5/7x7_s1").notes());
        // The aux FC keeps the paper's 4x4x128 = 2048 inputs at any size: only the classifier width changed.
        assertEquals(2048L * 1024 + 1024 + 128 * 512 + 128 + 1024 * 17 + 17, s.row("loss1").params());
    }

    @Test
    void summaryAt224ShowsThePapersShapesAndCost() {
        Blueprint bp = Models.blueprint(V1);
        ModelSummary s = ModelSummary.of(bp, bp.create());
        assertEquals("28x28x256", s.row("inception_3a").output());
        assertEquals("14x14x528", s.row("inception_4d").output());
        assertEquals("7x7x1024", s.row("inception_5b").output());
        assertTrue(s.row("loss1").notes().contains("adaptive 5x5/3 on 14x14"), "the paper's aux pooling at 224 px");
        assertEquals(1.58, s.macs() / 1e9, 0.005, "GoogLeNet with true 5x5 branches: 1.58 G multiply-adds");
        assertEquals(6_998_552L, s.paramsWithoutAux());
        assertTrue(s.render().contains("13,378,280 with auxiliary heads, 6,998,552 without"));
    }
}
