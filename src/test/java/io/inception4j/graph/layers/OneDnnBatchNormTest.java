package io.inception4j.graph.layers;

import io.inception4j.config.TensorLayout;
import io.inception4j.graph.FastPath;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static io.inception4j.graph.layers.FastLayersTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN 2.5's batch normalisation gives the textbook training forward and backward pass (computed here in double
 * precision from the definitions), with DL4J's parameter views as arguments; an NHWC network's batch norms take it.
 */
class OneDnnBatchNormTest {

    @Test
    void trainingForwardAndBackwardAreTheDefinitions() {
        Nd4j.getRandom().setSeed(3);
        int n = 4, h = 5, w = 6, c = 24;
        float eps = 1e-3f;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, c).muli(3).subi(1);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 5 + 2 * c).addi(0.5);
        INDArray gamma = params.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 5 + c)).reshape(1, c);
        INDArray beta = params.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(5 + c, 5 + 2 * c)).reshape(1, c);
        INDArray out = Nd4j.create(DataType.FLOAT, n, h, w, c), mean = Nd4j.create(DataType.FLOAT, c), var = Nd4j.create(DataType.FLOAT, c);
        assertTrue(OneDnnBatchNorm.takes(DataType.FLOAT), "oneDNN 2.5 loads");
        var key = new OneDnnBatchNorm.Key(n, h, w, c, eps, false);
        assertTrue(OneDnnBatchNorm.forward(key, x, gamma, beta, out, mean, var, null), "a real kernel");

        INDArray xd = x.castTo(DataType.DOUBLE).reshape(n * h * w, c);
        INDArray mu = xd.mean(0), centred = xd.subRowVector(mu);
        INDArray sigma2 = centred.mul(centred).mean(0);
        INDArray invStd = Transforms.pow(sigma2.add(eps), -0.5);
        INDArray xhat = centred.mulRowVector(invStd);
        INDArray expected = xhat.mulRowVector(gamma.castTo(DataType.DOUBLE)).addRowVector(beta.castTo(DataType.DOUBLE));
        assertClose(mu.reshape(c), mean.castTo(DataType.DOUBLE), 1e-5, "batch mean");
        assertClose(sigma2.reshape(c), var.castTo(DataType.DOUBLE), 1e-5, "batch variance (biased)");
        assertClose(expected, out.castTo(DataType.DOUBLE).reshape(n * h * w, c), 1e-5, "normalised output");

        INDArray g = Nd4j.rand(DataType.FLOAT, n, h, w, c).subi(0.5);
        INDArray dx = Nd4j.create(DataType.FLOAT, n, h, w, c);
        INDArray grads = Nd4j.create(DataType.FLOAT, 1, 3 + 2 * c);
        INDArray dGamma = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + c)).reshape(1, c);
        INDArray dBeta = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(3 + c, 3 + 2 * c)).reshape(1, c);
        assertTrue(OneDnnBatchNorm.backward(key, x, g, mean, var, gamma, beta, dx, dGamma, dBeta, null));
        INDArray gd = g.castTo(DataType.DOUBLE).reshape(n * h * w, c);
        INDArray dBetaExpected = gd.sum(0), dGammaExpected = gd.mul(xhat).sum(0);
        // dx = gamma / std * (g - mean(g) - xhat * mean(g * xhat))
        INDArray dxExpected = gd.subRowVector(gd.mean(0)).sub(xhat.mulRowVector(gd.mul(xhat).mean(0)))
                .mulRowVector(invStd.mul(gamma.castTo(DataType.DOUBLE).reshape(c)));
        assertClose(dBetaExpected.reshape(1, c), dBeta.castTo(DataType.DOUBLE), 1e-5, "beta gradient");
        assertClose(dGammaExpected.reshape(1, c), dGamma.castTo(DataType.DOUBLE), 1e-5, "gamma gradient");
        assertClose(dxExpected, dx.castTo(DataType.DOUBLE).reshape(n * h * w, c), 1e-5, "input gradient");
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3), grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).castTo(DataType.DOUBLE), 0, "nothing written outside the views");
    }

    @Test
    void anNhwcNetworksBatchNormsRunOnIt() {
        ComputationGraph g = LayoutTest.probe(TensorLayout.NHWC, FastPath.all(), DataType.FLOAT);
        g.output(true, Nd4j.rand(DataType.FLOAT, 4, 3, 23, 23));
        long onOneDnn = java.util.Arrays.stream(g.getLayers()).filter(l -> l instanceof FastBatchNormLayer b && b.ranOnOneDnn()).count();
        long all = java.util.Arrays.stream(g.getLayers()).filter(l -> l instanceof FastBatchNormLayer).count();
        assertTrue(all > 5 && onOneDnn == all, onOneDnn + " of " + all);
    }
}
