package io.inception4j.graph.layers;

import io.inception4j.graph.layers.OneDnn.Memory;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

import static io.inception4j.graph.layers.OneDnn.check;
import static io.inception4j.graph.layers.OneDnn.primitive;
import static io.inception4j.graph.layers.OneDnn.primitiveDesc;
import static io.inception4j.graph.layers.OneDnn.reorder;
import static io.inception4j.graph.layers.OneDnn.requireKernel;
import static io.inception4j.graph.layers.OneDnn.run;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The backward pass of an NHWC convolution on oneDNN 2.5's direct kernels (the JavaCPP {@code dnnl} preset), for
 * the shapes where libnd4j's {@code conv2d_bp} is slower; {@link FastConvLayer} asks {@link #takes} per layer.
 *
 * <p>Why a second oneDNN: libnd4j 1.0.0-M2.1 links oneDNN 2.3 inside itself (its symbols hidden) and lets it choose
 * the algorithm; on AVX-512 its backward pass then works in the blocked {@code nChw16c} layout, reordering NHWC
 * activations and gradients in and out at every layer, and it always computes the input gradient, even for the
 * first layer, whose input is the images. Measured per layer (results/bench/README.md, batch 32, 2 cores): a 1x1
 * convolution's backward pass takes 25-45% less time here, and the stem's, with no input gradient, a third. For
 * 3x3 convolutions at stride 1 libnd4j's Winograd kernels are as fast or faster, so those stay with libnd4j.
 *
 * <p>Weights stay as DL4J keeps them ([out, in, kH, kW]); they are reordered into the kernel's blocked layout on
 * each call and the weight gradient back (a few hundred kilobytes per layer). Primitives are created once per
 * shape and thread. Any shape oneDNN 2.5 cannot run on a real kernel (its reference implementation would be
 * hundreds of times slower), and any machine where the library does not load ({@link OneDnn}), goes back to libnd4j.
 */
final class OneDnnConvBackward {
    private static final Logger log = LoggerFactory.getLogger(OneDnnConvBackward.class);

    private static final ThreadLocal<Map<Key, Primitives>> CACHE = ThreadLocal.withInitial(HashMap::new);

    private OneDnnConvBackward() {}

    /** The shape of one convolution, and whether its input gradient is wanted. */
    record Key(ConvGeometry shape, boolean inputGradient) {
    }

    /**
     * Whether this backward pass runs here: float, no dilation, oneDNN 2.5 loaded on a CPU backend, and not a 3x3
     * stride-1 convolution (libnd4j's Winograd kernels), unless the input gradient is not wanted.
     */
    static boolean takes(DataType type, int[] kernel, int[] stride, int[] dilation, boolean inputGradient) {
        if (type != DataType.FLOAT || dilation[0] != 1 || dilation[1] != 1) return false;
        boolean winograd = kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1;
        return (!winograd || !inputGradient) && OneDnn.available();
    }

    /**
     * The gradients of one convolution into the given arrays (all float, C order): {@code inputGrad} [n, h, w, c]
     * (null: not computed), {@code weightGrad} [k, c, kh, kw], {@code biasGrad} [k] (null without a bias). Returns
     * false, having written nothing, when oneDNN 2.5 has no real kernel for this shape (libnd4j then takes it).
     */
    static boolean backward(Key key, INDArray x, INDArray weights, INDArray delta, INDArray inputGrad, INDArray weightGrad,
                            INDArray biasGrad) {
        Map<Key, Primitives> cache = CACHE.get();
        Primitives p = cache.get(key);
        if (p == null) {
            p = Primitives.create(key);
            cache.put(key, p);
        }
        if (!p.usable) return false;
        p.diffDst.set(delta);
        if (key.inputGradient()) {
            run(p.toDataWeights, DNNL_ARG_FROM, p.weightsOihw.set(weights), DNNL_ARG_TO, p.dataWeights);
            run(p.backwardData, DNNL_ARG_DIFF_DST, p.diffDst, DNNL_ARG_WEIGHTS, p.dataWeights, DNNL_ARG_DIFF_SRC, p.diffSrc.set(inputGrad));
        }
        p.src.set(x);
        p.weightGradOihw.set(weightGrad);
        if (key.shape().bias()) {
            p.biasGrad.set(biasGrad);
            run(p.backwardWeights, DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst,
                    DNNL_ARG_DIFF_WEIGHTS, p.blockedWeightGrad, DNNL_ARG_DIFF_BIAS, p.biasGrad);
        } else {
            run(p.backwardWeights, DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst, DNNL_ARG_DIFF_WEIGHTS, p.blockedWeightGrad);
        }
        run(p.fromBlockedWeightGrad, DNNL_ARG_FROM, p.blockedWeightGrad, DNNL_ARG_TO, p.weightGradOihw);
        return true;
    }

    /** The primitives and memories of one shape on one thread. */
    private static final class Primitives {
        boolean usable;
        dnnl_primitive backwardData, backwardWeights, toDataWeights, fromBlockedWeightGrad;
        Memory src, diffDst, diffSrc, weightsOihw, dataWeights, weightGradOihw, blockedWeightGrad, biasGrad;

        static Primitives create(Key k) {
            Primitives p = new Primitives();
            try {
                p.build(k);
            } catch (RuntimeException e) {
                log.debug("oneDNN 2.5 has no primitive for {}: {}", k, e.getMessage());
                p.usable = false;
            }
            return p;
        }

        private void build(Key k) {
            ConvGeometry g = k.shape();
            dnnl_memory_desc_t srcMd = g.src(), dstMd = g.dst(), anyWeights = g.anyWeights(), oihw = g.oihw(), biasMd = g.biasDesc();
            long[] strides = g.strides(), padLeft = g.leftPadding(), padRight = g.rightPadding();
            dnnl_convolution_desc_t forward = g.forward(true);
            dnnl_primitive_desc forwardHint = primitiveDesc(forward, null);

            dnnl_convolution_desc_t weights = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_weights_desc_init(weights, dnnl_convolution_direct, srcMd, anyWeights, biasMd, dstMd,
                    strides, padLeft, padRight), "backward-weights descriptor");
            dnnl_primitive_desc weightsPd = primitiveDesc(weights, forwardHint);
            requireKernel(weightsPd);
            src = new Memory(srcMd, false);
            diffDst = new Memory(dstMd, false);
            weightGradOihw = new Memory(oihw, false);
            blockedWeightGrad = new Memory(dnnl_primitive_desc_query_md(weightsPd, dnnl_query_diff_weights_md, 0), true);
            biasGrad = g.bias() ? new Memory(biasMd, false) : null;
            backwardWeights = primitive(weightsPd);
            fromBlockedWeightGrad = reorder(blockedWeightGrad.desc, oihw);

            if (k.inputGradient()) {
                dnnl_convolution_desc_t data = new dnnl_convolution_desc_t();
                check(dnnl_convolution_backward_data_desc_init(data, dnnl_convolution_direct, srcMd, anyWeights, dstMd, strides,
                        padLeft, padRight), "backward-data descriptor");
                dnnl_primitive_desc dataPd = primitiveDesc(data, forwardHint);
                requireKernel(dataPd);
                diffSrc = new Memory(srcMd, false);
                weightsOihw = new Memory(oihw, false);
                dataWeights = new Memory(dnnl_primitive_desc_query_md(dataPd, dnnl_query_weights_md, 0), true);
                backwardData = primitive(dataPd);
                toDataWeights = reorder(oihw, dataWeights.desc);
            }
            usable = true;
        }
    }
}
