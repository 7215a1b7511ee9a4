package io.inception4j.graph;

import io.inception4j.Models;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The aux weights really weight: the graph's score is main + 0.3 x each aux loss, and the gradient reaching
 * the aux heads is 0.3 times what an unweighted head gets, while the trunk above the heads is unaffected.
 */
class AuxLossWeightingTest {
    // Small and fast, same topology: GoogLeNet at 96 px, a quarter of the width, 5 classes, no dropout
    // (so training-mode passes are deterministic).
    static final String[] SMALL = {"model.input=[96,96,3]", "model.width=0.25", "model.classes=5",
            "model.blocks.pool5/drop_7x7_s1.rate=0",
            "model.blocks.loss1.blocks.drop_fc.rate=0", "model.blocks.loss2.blocks.drop_fc.rate=0"};

    static String[] with(String... more) {
        String[] all = java.util.Arrays.copyOf(SMALL, SMALL.length + more.length);
        System.arraycopy(more, 0, all, SMALL.length, more.length);
        return all;
    }

    static MultiDataSet batch(int n, int classes) {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, 96, 96);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) y.putScalar(i, i % classes, 1.0);
        return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, y, y});
    }

    static double crossEntropy(INDArray probs, INDArray labels) {
        return -Transforms.log(probs, true).mul(labels).sum(1).meanNumber().doubleValue();
    }

    @Test
    void scoreIsMainLossPlusPointThreeTimesEachAuxLoss() {
        ComputationGraph g = Models.blueprint("configs/models/inception-v1.yaml", SMALL).create();
        MultiDataSet b = batch(4, 5);
        INDArray[] out = g.output(false, b.getFeatures());
        double main = crossEntropy(out[0], b.getLabels(0));
        double aux1 = crossEntropy(out[1], b.getLabels(1));
        double aux2 = crossEntropy(out[2], b.getLabels(2));
        double expected = main + 0.3 * aux1 + 0.3 * aux2;
        assertTrue(aux1 > 0.1 && aux2 > 0.1, "aux losses are not trivially zero");
        assertEquals(expected, g.score(b, false), 1e-4 * expected);
        // And not the unweighted sum: the test can tell the two apart.
        assertTrue(Math.abs(main + aux1 + aux2 - g.score(b, false)) > 0.1);
    }

    @Test
    void gradientReachingTheAuxHeadsIsScaledByTheWeight() {
        ComputationGraph weighted = Models.blueprint("configs/models/inception-v1.yaml", SMALL).create();
        ComputationGraph unweighted = Models.blueprint("configs/models/inception-v1.yaml", with("model.aux_weight=1.0")).create();
        unweighted.setParams(weighted.params().dup());
        MultiDataSet b = batch(4, 5);

        var gw = gradients(weighted, b);
        var gu = gradients(unweighted, b);
        for (String p : new String[] {"loss1/classifier_W", "loss1/fc_W", "loss2/conv_W", "loss2/classifier_b"}) {
            INDArray expected = gu.getGradientFor(p).mul(0.3);
            INDArray actual = gw.getGradientFor(p);
            assertTrue(actual.amaxNumber().doubleValue() > 0, p + " gets a gradient");
            assertTrue(actual.equalsWithEps(expected, 1e-6 + 1e-4 * expected.amaxNumber().doubleValue()), p + " is scaled by 0.3");
        }
        // Above the aux heads only the main loss flows: identical gradients.
        INDArray top = gw.getGradientFor("inception_5b/1x1_W");
        assertTrue(top.equalsWithEps(gu.getGradientFor("inception_5b/1x1_W"), 1e-6));
    }

    private static org.deeplearning4j.nn.gradient.Gradient gradients(ComputationGraph g, MultiDataSet b) {
        g.setInputs(b.getFeatures());
        g.setLabels(b.getLabels());
        g.computeGradientAndScore();
        return g.gradient();
    }
}
