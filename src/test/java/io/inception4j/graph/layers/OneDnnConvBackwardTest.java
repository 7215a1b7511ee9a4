package io.inception4j.graph.layers;

import io.inception4j.config.TensorLayout;
import io.inception4j.graph.FastPath;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.inception4j.graph.layers.FastLayersTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN 2.5's backward pass gives libnd4j's {@code conv2d_bp} gradients (to float rounding) for every kind of
 * convolution the family has, with the arrays as DL4J hands them (weights and gradients are views into the
 * flattened parameters), and the first layer of a network computes no input gradient.
 */
class OneDnnConvBackwardTest {

    /** n, h, w, c, k, kh, kw, stride, pad top, pad left, same mode, bias. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "1x1,             3, 9, 9, 24, 16, 1, 1, 1, 0, 0, false, false",
            "1x1 with bias,   3, 9, 9, 24, 16, 1, 1, 1, 0, 0, false, true",
            "1x7 (v3),        2, 9, 9, 16, 24, 1, 7, 1, 0, 3, false, false",
            "7x1 (v3),        2, 9, 9, 16, 24, 7, 1, 1, 3, 0, false, false",
            "3x3 stride 2,    2, 17, 17, 16, 32, 3, 3, 2, 0, 0, false, false",
            "3x3 s2 same,     2, 16, 16, 16, 32, 3, 3, 2, 0, 0, true, true",
            "7x7 stem,        2, 32, 32, 3, 16, 7, 7, 2, 3, 3, false, false",
            "5x5 (GoogLeNet), 2, 12, 12, 16, 32, 5, 5, 1, 2, 2, false, true",
            "3x3 s2 drops a row, 2, 18, 18, 8, 16, 3, 3, 2, 0, 0, false, false",
    })
    void sameGradientsAsLibnd4j(String name, int n, int h, int w, int c, int k, int kh, int kw, int stride, int padTop,
                                int padLeft, boolean same, boolean bias) {
        Nd4j.getRandom().setSeed(5);
        ConvCase conv = ConvCase.of(n, h, w, c, k, kh, kw, stride, padTop, padLeft, same, bias);
        int oh = conv.oh(), ow = conv.ow();
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, c).subi(0.5);
        // weights, bias and their gradients as views into one flattened array, as DL4J keeps parameters
        long wLen = (long) k * c * kh * kw;
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 7 + wLen + k).subi(0.5);
        INDArray weights = params.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(7, 7 + wLen)).reshape('c', k, c, kh, kw);
        INDArray b = params.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(7 + wLen, 7 + wLen + k));
        INDArray delta = Nd4j.rand(DataType.FLOAT, n, oh, ow, k).subi(0.5);
        int[] args = conv.libnd4jArgs();

        INDArray gi = Nd4j.create(DataType.FLOAT, n, h, w, c), gw = Nd4j.create(DataType.FLOAT, k, c, kh, kw), gb = Nd4j.create(DataType.FLOAT, k);
        Wiring.exec("conv2d_bp", bias ? new INDArray[] {x, weights, b, delta} : new INDArray[] {x, weights, delta},
                bias ? new INDArray[] {gi, gw, gb} : new INDArray[] {gi, gw}, args);

        INDArray grads = Nd4j.create(DataType.FLOAT, 1, 3 + wLen + k);
        INDArray gw2 = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + wLen)).reshape('c', k, c, kh, kw);
        INDArray gb2 = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3 + wLen, 3 + wLen + k));
        INDArray gi2 = Nd4j.create(DataType.FLOAT, n, h, w, c);
        assertTrue(OneDnnConvBackward.takes(DataType.FLOAT, new int[] {kh, kw}, new int[] {stride, stride}, new int[] {1, 1}, true),
                "oneDNN 2.5 loads and takes a " + name + " convolution");
        var key = new OneDnnConvBackward.Key(conv.geometry(), true);
        assertTrue(OneDnnConvBackward.backward(key, x, weights, delta, gi2, gw2, bias ? gb2 : null), name + ": a real kernel");
        assertClose(gi, gi2, 1e-5, name + " input gradient");
        assertClose(gw, gw2, 1e-5, name + " weight gradient");
        if (bias) assertClose(gb, gb2, 1e-5, name + " bias gradient");
        assertClose(Nd4j.zeros(DataType.FLOAT, 1, 3), grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).reshape(1, 3), 0, "nothing written before the weight gradient's view");

        // the weight gradient alone (the first layer's): the same weight gradient, the input gradient untouched
        gw2.assign(0);
        var weightsOnly = new OneDnnConvBackward.Key(conv.geometry(), false);
        assertTrue(OneDnnConvBackward.backward(weightsOnly, x, weights, delta, null, gw2, bias ? gb2 : null));
        assertClose(gw, gw2, 1e-5, name + " weight gradient, no input gradient");
    }

    @Test
    void threeByThreeAtStrideOneStaysWithLibnd4jsWinogradUnlessOnlyTheWeightGradientIsWanted() {
        assertFalse(OneDnnConvBackward.takes(DataType.FLOAT, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, true));
        assertTrue(OneDnnConvBackward.takes(DataType.FLOAT, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, false));
        assertFalse(OneDnnConvBackward.takes(DataType.DOUBLE, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, true), "float only");
        assertFalse(OneDnnConvBackward.takes(DataType.FLOAT, new int[] {3, 3}, new int[] {1, 1}, new int[] {2, 2}, true), "no dilation");
    }

    /** The stem reads the images: its backward pass passes no gradient on, and the parameters' gradients are the same. */
    @Test
    void theFirstConvolutionComputesNoInputGradient() {
        ComputationGraph g = LayoutTest.probe(TensorLayout.NHWC, FastPath.all(), DataType.FLOAT);
        var stem = (FastConvLayer) g.getLayer("stem");
        assertTrue(stem.inputGradientUnused(), "the stem's input is the network's");
        long others = java.util.Arrays.stream(g.getLayers()).filter(l -> l instanceof FastConvLayer f && f.inputGradientUnused()).count();
        assertTrue(others == 1, "only the stem: " + others);

        ComputationGraph full = LayoutTest.probe(TensorLayout.NHWC, FastPath.all(), DataType.FLOAT);
        full.setParams(g.params());
        ((FastConvLayer) full.getLayer("stem")).computeInputGradient();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 23, 23);
        for (ComputationGraph net : java.util.List.of(g, full)) {
            net.setInputs(x);
            net.setLabels(labels(net));
            net.computeGradientAndScore();
        }
        assertClose(full.gradient().gradient(), g.gradient().gradient(), 1e-6, "parameter gradients");
    }

    /** One-hot labels of each output's width. */
    private static INDArray[] labels(ComputationGraph net) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 4, 3, 23, 23);
        INDArray[] out = net.output(false, x);
        INDArray[] labels = new INDArray[out.length];
        for (int o = 0; o < out.length; o++) {
            labels[o] = Nd4j.zeros(DataType.FLOAT, 4, out[o].size(1));
            for (int i = 0; i < 4; i++) labels[o].putScalar(i, (i + o) % out[o].size(1), 1);
        }
        return labels;
    }
}
