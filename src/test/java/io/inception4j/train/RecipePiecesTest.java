package io.inception4j.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pieces of the Inception v3/v4 recipe, against values worked out by hand: TensorFlow's RMSProp, the
 * moving average of the weights, global-norm clipping and learning-rate warm-up.
 */
class RecipePiecesTest {

    @Test
    void tensorflowRmsPropTwoStepsByHand() {
        // lr 0.1, decay 0.9, momentum 0.9, epsilon 1.0; ms starts at 1, mom at 0.
        // Step 1, g = [0.5, -1, 2]:  ms = 0.9 + 0.1 g^2 = [0.925, 1.0, 1.3]
        //   mom = 0.1 g / sqrt(ms + 1) = [0.05/sqrt(1.925), -0.1/sqrt(2), 0.2/sqrt(2.3)] = [0.0360375, -0.0707107, 0.1318761]
        // Step 2, g = [0.1, 0.3, -1]: ms = 0.9 ms + 0.1 g^2 = [0.8335, 0.909, 1.27]
        //   mom = 0.9 mom + 0.1 g / sqrt(ms + 1) = [0.0324338 + 0.0073851, -0.0636396 + 0.0217129, 0.1186885 - 0.0663723]
        //       = [0.0398189, -0.0419267, 0.0523162]
        TfRmsProp config = new TfRmsProp(0.1, null, 0.9, 0.9, 1.0);
        INDArray state = Nd4j.create(DataType.DOUBLE, 1, config.stateSize(3));
        GradientUpdater<?> u = config.instantiate(state, true);

        INDArray g1 = Nd4j.createFromArray(new double[][] {{0.5, -1.0, 2.0}});
        u.applyUpdater(g1, 0, 0);
        assertArrayEquals(new double[] {0.0360375, -0.0707107, 0.1318761}, g1.toDoubleVector(), 1e-7, "update 1");
        assertArrayEquals(new double[] {0.925, 1.0, 1.3}, u.getState().get("ms").toDoubleVector(), 1e-12, "ms after 1");

        INDArray g2 = Nd4j.createFromArray(new double[][] {{0.1, 0.3, -1.0}});
        u.applyUpdater(g2, 1, 0);
        assertArrayEquals(new double[] {0.0398189, -0.0419267, 0.0523162}, g2.toDoubleVector(), 1e-7, "update 2");
        assertArrayEquals(new double[] {0.8335, 0.909, 1.27}, u.getState().get("ms").toDoubleVector(), 1e-12, "ms after 2");
        assertArrayEquals(g2.toDoubleVector(), u.getState().get("mom").toDoubleVector(), 0, "the update is the momentum");
    }

    @Test
    void tensorflowRmsPropTravelsWithTheGraphConfiguration() {
        TfRmsProp config = new TfRmsProp(Double.NaN, new StepSchedule(ScheduleType.EPOCH, 0.045, 0.94, 2), 0.9, 0.9, 1.0);
        ComputationGraphConfiguration conf = tinyGraph(config, false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf.toJson(), back.toJson());
        assertTrue(conf.toJson().contains("\"@class\" : \"io.inception4j.train.TfRmsProp\""), "saved by class name");
        assertEquals(0.045 * 0.94, ((TfRmsProp) ((org.deeplearning4j.nn.conf.layers.BaseLayer)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("dense")).getLayerConf().getLayer())
                .getIUpdater()).getLearningRate(0, 2), 1e-12);
    }

    @Test
    void weightAverageByHand() {
        // decay 0.9999 with TF's warm-up: update 1 uses min(0.9999, 2/11), update 2 min(0.9999, 3/12).
        WeightAverage ema = WeightAverage.start(0.9999, Nd4j.createFromArray(1.0, 2.0));
        ema.update(Nd4j.createFromArray(3.0, 4.0), 1);   // 2/11 * [1, 2] + 9/11 * [3, 4]
        assertArrayEquals(new double[] {29.0 / 11, 40.0 / 11}, ema.average().toDoubleVector(), 1e-12);
        ema.update(Nd4j.createFromArray(5.0, 6.0), 2);   // 1/4 * previous + 3/4 * [5, 6]
        assertArrayEquals(new double[] {29.0 / 44 + 3.75, 10.0 / 11 + 4.5}, ema.average().toDoubleVector(), 1e-12);
        assertEquals(0.9999, ema.effectiveDecay(1_000_000), 0);
        assertEquals(0.5, ema.effectiveDecay(8), 1e-15); // (1 + 8) / (10 + 8)
    }

    @Test
    void globalClippingScalesTheMeanGradientToTheNormAndLeavesRunningStatisticsAlone() {
        ComputationGraph g = new ComputationGraph(tinyGraph(new Sgd(0.1), true));
        g.init();
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 4).muli(10), y = Nd4j.zeros(DataType.DOUBLE, 8, 3);
        for (int i = 0; i < 8; i++) y.putScalar(i, i % 3, 1);
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        Map<String, INDArray> before = copy(g.gradient().gradientForVariable());
        double meanNorm = 0;
        for (var e : before.entrySet()) if (!e.getKey().startsWith("bn_") || e.getKey().endsWith("gamma") || e.getKey().endsWith("beta")) {
            meanNorm += Math.pow(e.getValue().norm2Number().doubleValue() / 8, 2);
        }
        meanNorm = Math.sqrt(meanNorm);

        GlobalNormClipping clip = new GlobalNormClipping(meanNorm / 4);
        clip.onGradientCalculation(g);
        assertEquals(meanNorm, clip.lastNorm(), 1e-9 * meanNorm);
        for (var e : g.gradient().gradientForVariable().entrySet()) {
            boolean statistic = e.getKey().equals("bn_mean") || e.getKey().equals("bn_log10stdev") || e.getKey().equals("bn_var");
            INDArray expected = statistic ? before.get(e.getKey()) : before.get(e.getKey()).mul(0.25);
            assertTrue(expected.equalsWithEps(e.getValue(), 1e-12), e.getKey());
        }

        new GlobalNormClipping(meanNorm * 10).onGradientCalculation(g); // below the norm: untouched
        for (var e : g.gradient().gradientForVariable().entrySet()) {
            boolean statistic = e.getKey().equals("bn_mean") || e.getKey().equals("bn_log10stdev") || e.getKey().equals("bn_var");
            INDArray expected = statistic ? before.get(e.getKey()) : before.get(e.getKey()).mul(0.25);
            assertTrue(expected.equalsWithEps(e.getValue(), 1e-12), e.getKey());
        }
    }

    @Test
    void warmUpRisesLinearlyThenHandsOverToTheSchedule() {
        WarmupSchedule s = new WarmupSchedule(new StepSchedule(ScheduleType.EPOCH, 0.1, 0.5, 1), 0.1, 4);
        assertArrayEquals(new double[] {0.025, 0.05, 0.075, 0.1, 0.1},
                new double[] {s.valueAt(0, 0), s.valueAt(1, 0), s.valueAt(2, 0), s.valueAt(3, 0), s.valueAt(4, 0)}, 1e-15);
        assertEquals(0.05, s.valueAt(5, 1), 1e-15, "then the step schedule, at its own epoch");
        WarmupSchedule constant = new WarmupSchedule(null, 0.2, 2);
        assertEquals(0.1, constant.valueAt(0, 0), 1e-15);
        assertEquals(0.2, constant.valueAt(7, 3), 1e-15);
    }

    private static ComputationGraphConfiguration tinyGraph(org.nd4j.linalg.learning.config.IUpdater updater, boolean withBn) {
        var b = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).updater(updater).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in");
        String last = "dense";
        if (withBn) {
            b.addLayer("bn", new BatchNormalization.Builder().nOut(5).build(), "dense");
            last = "bn";
        }
        return b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), last)
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
