package io.inception4j.graph.layers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

import static io.inception4j.graph.layers.FastLayersTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN 2.5's max pooling gives libnd4j's {@code maxpool2d} output exactly and its {@code maxpool2d_bp} gradient
 * (to float rounding where overlapping windows share a maximum), on ReLU outputs, whose many zeros make ties
 * (whole windows of zeros among them): a tie's gradient goes to the same input in both.
 */
class OneDnnMaxPoolTest {

    /** n, h, w, c, kernel, stride, pad, same mode. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "3x3 s2 valid (v3),        2, 15, 15, 16, 3, 2, 0, false",
            "3x3 s2 valid drops a row, 2, 16, 16, 8, 3, 2, 0, false",
            "3x3 s2 same (GoogLeNet),  2, 14, 14, 16, 3, 2, 0, true",
            "3x3 s1 same (branch),     2, 9, 9, 24, 3, 1, 0, true",
            "3x3 s1 pad 1,             2, 9, 9, 24, 3, 1, 1, false",
            "2x2 s2,                   3, 8, 8, 16, 2, 2, 0, false",
    })
    void sameAsLibnd4j(String name, int n, int h, int w, int c, int k, int s, int p, boolean same) {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, c).subi(0.5);
        Nd4j.getExecutioner().exec(new RectifiedLinear(x, x, 0.0)); // half zeros: ties
        int[] args = {k, k, s, s, p, p, 1, 1, same ? 1 : 0, 0, 1};
        int oh = same ? (h + s - 1) / s : (h + 2 * p - k) / s + 1, ow = same ? (w + s - 1) / s : (w + 2 * p - k) / s + 1;
        int padTop = same ? Math.max(0, ((oh - 1) * s + k - h) / 2) : p, padLeft = same ? Math.max(0, ((ow - 1) * s + k - w) / 2) : p;
        INDArray expected = Nd4j.create(DataType.FLOAT, n, oh, ow, c);
        Wiring.exec("maxpool2d", new INDArray[] {x}, new INDArray[] {expected}, args);
        INDArray delta = Nd4j.rand(DataType.FLOAT, n, oh, ow, c).subi(0.5);
        INDArray expectedGrad = Nd4j.create(DataType.FLOAT, n, h, w, c);
        Wiring.exec("maxpool2d_bp", new INDArray[] {x, delta}, new INDArray[] {expectedGrad}, args);

        var key = new OneDnnMaxPool.Key(n, h, w, c, k, k, s, s, padTop, padLeft, oh, ow);
        assertTrue(OneDnn.available() && OneDnnMaxPool.usable(key), name + ": oneDNN 2.5 has a kernel");
        INDArray inferred = Nd4j.valueArrayOf(new long[] {n, oh, ow, c}, Float.NaN, DataType.FLOAT);
        assertTrue(OneDnnMaxPool.forward(key, x, inferred, null));
        assertEquals(expected, inferred, name + ": inference output");
        var ws = new OneDnn.Workspace();
        INDArray out = Nd4j.valueArrayOf(new long[] {n, oh, ow, c}, Float.NaN, DataType.FLOAT);
        assertTrue(OneDnnMaxPool.forward(key, x, out, ws));
        assertEquals(expected, out, name + ": training output");
        INDArray grad = Nd4j.valueArrayOf(new long[] {n, h, w, c}, Float.NaN, DataType.FLOAT);
        OneDnnMaxPool.backward(key, delta, grad, ws);
        assertClose(expectedGrad, grad, 1e-6, name + ": input gradient");
        INDArray again = Nd4j.create(DataType.FLOAT, n, h, w, c);
        OneDnnMaxPool.backward(key, delta, again, ws);
        assertEquals(grad, again, name + ": the same bits every time");
    }
}
