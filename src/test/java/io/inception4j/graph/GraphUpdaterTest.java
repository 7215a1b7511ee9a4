package io.inception4j.graph;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GraphUpdater} trains exactly as DL4J's own updater (bit for bit: parameters and momentum), with weight
 * decay, batch norms (whose running statistics split the updater into blocks) and auxiliary heads, and takes
 * over a trained graph's momentum as it is.
 */
class GraphUpdaterTest {
    private static final String NET = """
            name: updater-probe
            input: [19, 19, 3]
            classes: 4
            defaults:
              conv: {bias: false, bn: true, activation: relu, init: he}
            blocks:
              - {id: stem, type: conv, filters: 8, kernel: 3, stride: 2}
              - {id: a, type: inception, 1x1: 4, 3x3_reduce: 3, 3x3: 4, 5x5_reduce: 2, 5x5: 3, pool_proj: 3}
              - id: aux
                type: aux_head
                from: a
                blocks:
                  - {type: conv, filters: 3, kernel: 1, bn: false, bias: true}
                  - {type: dense, units: 5}
              - {id: gap, type: global_avgpool, from: a}
              - {id: out, type: output}
            """;

    private static ComputationGraph graph() {
        var loaded = ModelConfig.parse("updater-probe", NET, Overrides.parse(List.of()));
        var options = new GraphOptions(7, new Nesterovs(0.05, 0.9), 1e-3, 0, DataType.FLOAT, FastPath.all());
        return GraphFactory.standard().blueprint(loaded, options).create();
    }

    private static MultiDataSet batch(int seed, int outputs) {
        var random = new java.util.Random(seed);
        float[] pixels = new float[6 * 3 * 19 * 19];
        for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
        INDArray x = Nd4j.create(pixels, new long[] {6, 3, 19, 19}, DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 4);
        for (int i = 0; i < 6; i++) y.putScalar(i, (i + seed) % 4, 1);
        INDArray[] labels = new INDArray[outputs];
        Arrays.fill(labels, y);
        return new MultiDataSet(new INDArray[] {x}, labels);
    }

    private static void fit(ComputationGraph g, int from, int to) {
        for (int step = from; step < to; step++) g.fit(batch(step, g.getNumOutputArrays()));
    }

    @Test
    void trainsBitForBitAsDl4jsUpdater() {
        ComputationGraph dl4j = graph(), ours = graph();
        GraphUpdater.install(ours);
        assertInstanceOf(GraphUpdater.class, ours.getUpdater());
        INDArray start = ours.params().dup();
        fit(dl4j, 0, 4);
        fit(ours, 0, 4);
        assertNotEquals(start, ours.params(), "the parameters moved");
        assertTrue(((GraphUpdater) ours.getUpdater()).overOwnArray(ours.gradient()), "the fast path is taken");
        assertEquals(dl4j.params(), ours.params(), "parameters");
        assertEquals(dl4j.getUpdater().getStateViewArray(), ours.getUpdater().getStateViewArray(), "momentum");
    }

    @Test
    void takesOverATrainedGraphsMomentum() {
        ComputationGraph dl4j = graph(), switched = graph();
        fit(dl4j, 0, 2);
        fit(switched, 0, 2);
        INDArray momentum = switched.getUpdater().getStateViewArray().dup();
        GraphUpdater.install(switched);
        assertEquals(momentum, switched.getUpdater().getStateViewArray(), "state carried over");
        GraphUpdater.install(switched); // a second time changes nothing
        fit(dl4j, 2, 4);
        fit(switched, 2, 4);
        assertEquals(dl4j.params(), switched.params(), "parameters");
        assertEquals(dl4j.getUpdater().getStateViewArray(), switched.getUpdater().getStateViewArray(), "momentum");
    }
}
