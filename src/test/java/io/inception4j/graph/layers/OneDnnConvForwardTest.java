package io.inception4j.graph.layers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static io.inception4j.graph.layers.FastLayersTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN 2.5's forward pass gives libnd4j's {@code conv2d} output (then a ReLU, where one is fused in), to float
 * rounding, for every kind of convolution the family has, with the weights and bias as views into the flattened
 * parameters as DL4J keeps them, for training and inference primitives.
 */
class OneDnnConvForwardTest {

    /** n, h, w, c, k, kh, kw, stride, pad top, pad left, same mode, bias, relu. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "1x1,                  3, 9, 9, 24, 16, 1, 1, 1, 0, 0, false, false, false",
            "1x1 bias relu,        3, 9, 9, 24, 16, 1, 1, 1, 0, 0, false, true, true",
            "1x7 (v3) relu,        2, 9, 9, 16, 24, 1, 7, 1, 0, 3, false, false, true",
            "7x1 (v3),             2, 9, 9, 16, 24, 7, 1, 1, 3, 0, false, true, false",
            "3x3 stride 1 relu,    2, 11, 11, 16, 32, 3, 3, 1, 1, 1, false, true, true",
            "3x3 s2 same,          2, 16, 16, 16, 32, 3, 3, 2, 0, 0, true, true, true",
            "7x7 stem,             2, 32, 32, 3, 16, 7, 7, 2, 3, 3, false, false, false",
            "5x5 (GoogLeNet) relu, 2, 12, 12, 16, 32, 5, 5, 1, 2, 2, false, true, true",
            "3x3 s2 drops a row,   2, 18, 18, 8, 16, 3, 3, 2, 0, 0, false, false, true",
    })
    void sameOutputAsLibnd4j(String name, int n, int h, int w, int c, int k, int kh, int kw, int stride, int padTop,
                             int padLeft, boolean same, boolean bias, boolean relu) {
        Nd4j.getRandom().setSeed(7);
        ConvCase conv = ConvCase.of(n, h, w, c, k, kh, kw, stride, padTop, padLeft, same, bias);
        int oh = conv.oh(), ow = conv.ow();
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, c).subi(0.5);
        long wLen = (long) k * c * kh * kw;
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 5 + wLen + k).subi(0.5);
        INDArray weights = params.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, 5 + wLen)).reshape('c', k, c, kh, kw);
        INDArray b = params.get(NDArrayIndex.point(0), NDArrayIndex.interval(5 + wLen, 5 + wLen + k));
        int[] args = conv.libnd4jArgs();
        INDArray expected = Nd4j.create(DataType.FLOAT, n, oh, ow, k);
        Wiring.exec("conv2d", bias ? new INDArray[] {x, weights, b} : new INDArray[] {x, weights}, new INDArray[] {expected}, args);
        if (relu) Nd4j.getExecutioner().exec(new RectifiedLinear(expected, expected, 0.0));

        assertTrue(OneDnnConvForward.takes(DataType.FLOAT, new int[] {1, 1}), "oneDNN 2.5 loads");
        for (boolean training : new boolean[] {true, false}) {
            INDArray out = Nd4j.valueArrayOf(new long[] {n, oh, ow, k}, Float.NaN, DataType.FLOAT);
            var key = new OneDnnConvForward.Key(conv.geometry(), relu, training);
            assertTrue(OneDnnConvForward.forward(key, x, weights, bias ? b : null, out), name + ": a real kernel");
            assertClose(expected, out, 1e-5, name + (training ? " (training)" : " (inference)"));
            if (relu) assertTrue(out.minNumber().doubleValue() >= 0, name + ": rectified");
        }
    }
}
