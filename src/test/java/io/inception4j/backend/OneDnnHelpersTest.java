package io.inception4j.backend;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.graph.layers.FastMaxPoolLayer;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU default really runs convolutions, pooling and batch norm in oneDNN (DL4J M2.1 would silently
 * not), and the oneDNN path computes what DL4J's built-in path computes.
 */
class OneDnnHelpersTest {
    static final String NET = """
            name: helpers-probe
            input: [32, 32, 3]
            classes: 4
            defaults:
              conv: {bias: false, bn: true}
            blocks:
              - {id: conv1, type: conv, filters: 8, kernel: 3, stride: 2}   # conv + BN + ReLU
              - {id: pool1, type: maxpool, kernel: 3, stride: 2}
              - {id: lrn1, type: lrn}
              - {id: mixed, type: inception, 1x1: 4, 3x3_reduce: 4, 3x3: 8, 5x5_reduce: 2, 5x5: 4, pool_proj: 4}
              - {id: pool2, type: avgpool, kernel: 3, stride: 1}
              - {id: gap, type: global_avgpool}
              - {id: out, type: output}
            """;

    static ComputationGraph build() {
        var loaded = ModelConfig.parse("helpers-probe", NET, Overrides.none());
        Blueprint bp = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults());
        return bp.create();
    }

    @Test
    void convPoolingAndBatchNormRunWithOneDnnHelpers() {
        assertTrue(Backend.info().oneDnnHelpers(), "oneDNN helpers reported on: " + Backend.info());
        ComputationGraph g = build();
        List<String> checked = new ArrayList<>();
        for (Layer l : g.getLayers()) {
            // Max pooling (FastMaxPoolLayer, train.fast_paths) calls libnd4j itself and picks oneDNN or not per shape.
            if (l instanceof FastMaxPoolLayer) continue;
            if (l instanceof ConvolutionLayer || l instanceof SubsamplingLayer || l instanceof BatchNormalization) {
                assertNotNull(l.getHelper(), l.getConfig().getLayerName() + " has a helper");
                assertTrue(l.getHelper().getClass().getSimpleName().startsWith("MKLDNN"),
                        l.getConfig().getLayerName() + ": " + l.getHelper().getClass());
                checked.add(l.getHelper().getClass().getSimpleName());
            }
        }
        assertTrue(checked.contains("MKLDNNConvHelper"));
        assertTrue(checked.contains("MKLDNNSubsamplingHelper"));
        assertTrue(checked.contains("MKLDNNBatchNormHelper"));
    }

    @Test
    void oneDnnResultsMatchThePlainPath() {
        ComputationGraph fast = build();
        ComputationGraph plain;
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String before = System.getProperty(key);
        try {
            System.setProperty(key, "true");
            plain = build();
        } finally {
            System.setProperty(key, before == null ? "false" : before);
        }
        for (Layer l : plain.getLayers()) assertNull(l.getHelper(), "plain path has no helpers");
        plain.setParams(fast.params().dup());

        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray y = Nd4j.eye(4).castTo(DataType.FLOAT);
        assertTrue(fast.outputSingle(false, x).equalsWithEps(plain.outputSingle(false, x), 1e-5), "inference outputs");

        MultiDataSet b = new MultiDataSet(x, y);
        for (ComputationGraph g : List.of(fast, plain)) {
            g.setInputs(b.getFeatures());
            g.setLabels(b.getLabels());
            g.computeGradientAndScore();
        }
        assertEquals(plain.score(), fast.score(), 1e-5);
        INDArray gf = fast.gradient().gradient(), gp = plain.gradient().gradient();
        double scale = gp.amaxNumber().doubleValue();
        assertTrue(gf.equalsWithEps(gp, 1e-4 * scale), "gradients agree (max |g| = " + scale + ", max diff = "
                + gf.sub(gp).amaxNumber() + ")");
    }
}
