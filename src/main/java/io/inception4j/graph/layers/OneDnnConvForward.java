package io.inception4j.graph.layers;

import io.inception4j.graph.layers.OneDnn.Memory;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

import static io.inception4j.graph.layers.OneDnn.check;
import static io.inception4j.graph.layers.OneDnn.desc;
import static io.inception4j.graph.layers.OneDnn.primitive;
import static io.inception4j.graph.layers.OneDnn.primitiveDesc;
import static io.inception4j.graph.layers.OneDnn.reorder;
import static io.inception4j.graph.layers.OneDnn.requireKernel;
import static io.inception4j.graph.layers.OneDnn.run;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The forward pass of an NHWC convolution on oneDNN 2.5's direct kernels, with a ReLU fused into the kernel
 * (a post-op: the output is written once, already rectified) where the caller asks for one.
 *
 * <p>Why: libnd4j's {@code conv2d} runs the same oneDNN kernels' older release (2.3) and cannot fuse an activation,
 * so an inference ReLU was a second pass over every output; per layer oneDNN 2.5 was also 3-15% faster on
 * GoogLeNet's and Inception v3's shapes (results/bench/README.md). Weights are reordered from DL4J's [out, in, kH,
 * kW] into the kernel's blocked layout on each call (well under 1% of a layer's time), as in
 * {@link OneDnnConvBackward}; shapes without an optimised kernel go back to libnd4j.
 */
final class OneDnnConvForward {
    private static final Logger log = LoggerFactory.getLogger(OneDnnConvForward.class);

    private static final ThreadLocal<Map<Key, Primitives>> CACHE = ThreadLocal.withInitial(HashMap::new);

    private OneDnnConvForward() {}

    /** The shape of one convolution (as {@link OneDnnConvBackward.Key}), and whether a ReLU is fused in and it trains. */
    record Key(long n, long h, long w, long c, long k, long kh, long kw, long sh, long sw, long padTop, long padLeft,
               long oh, long ow, boolean bias, boolean relu, boolean training) {
    }

    /** Whether forward passes run here: float, no dilation, and oneDNN 2.5 loaded on a CPU backend. */
    static boolean takes(DataType type, int[] dilation) {
        return type == DataType.FLOAT && dilation[0] == 1 && dilation[1] == 1 && OneDnn.available();
    }

    /**
     * {@code out} [n, oh, ow, k] = conv(x [n, h, w, c], weights [k, c, kh, kw]) + bias [k] (null: none), rectified
     * if the key says so; all float, C order. Returns false, having written nothing, when oneDNN 2.5 has no real
     * kernel for this shape.
     */
    static boolean forward(Key key, INDArray x, INDArray weights, INDArray bias, INDArray out) {
        Map<Key, Primitives> cache = CACHE.get();
        Primitives p = cache.get(key);
        if (p == null) {
            p = Primitives.create(key);
            cache.put(key, p);
        }
        if (!p.usable) return false;
        run(p.toBlockedWeights, DNNL_ARG_FROM, p.weightsOihw.set(weights), DNNL_ARG_TO, p.blockedWeights);
        if (key.bias()) {
            run(p.forward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_WEIGHTS, p.blockedWeights, DNNL_ARG_BIAS, p.bias.set(bias),
                    DNNL_ARG_DST, p.dst.set(out));
        } else {
            run(p.forward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_WEIGHTS, p.blockedWeights, DNNL_ARG_DST, p.dst.set(out));
        }
        return true;
    }

    /** The primitives and memories of one shape on one thread. */
    private static final class Primitives {
        boolean usable;
        dnnl_primitive forward, toBlockedWeights;
        Memory src, dst, bias, weightsOihw, blockedWeights;

        static Primitives create(Key k) {
            Primitives p = new Primitives();
            try {
                p.build(k);
            } catch (RuntimeException e) {
                log.debug("oneDNN 2.5 has no forward primitive for {}: {}", k, e.getMessage());
                p.usable = false;
            }
            return p;
        }

        private void build(Key k) {
            dnnl_memory_desc_t srcMd = desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            dnnl_memory_desc_t dstMd = desc(new long[] {k.n(), k.k(), k.oh(), k.ow()}, dnnl_nhwc);
            long[] weightDims = {k.k(), k.c(), k.kh(), k.kw()};
            dnnl_memory_desc_t anyWeights = desc(weightDims, dnnl_format_tag_any), oihw = desc(weightDims, dnnl_oihw);
            dnnl_memory_desc_t biasMd = k.bias() ? desc(new long[] {k.k()}, dnnl_x) : null;
            long[] strides = {k.sh(), k.sw()}, padLeft = {k.padTop(), k.padLeft()};
            long[] padRight = OneDnn.padRight(new long[] {k.h(), k.w()}, new long[] {k.oh(), k.ow()}, new long[] {k.kh(), k.kw()}, strides, padLeft);

            dnnl_convolution_desc_t conv = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(conv, k.training() ? dnnl_forward_training : dnnl_forward_inference,
                    dnnl_convolution_direct, srcMd, anyWeights, biasMd, dstMd, strides, padLeft, padRight), "forward descriptor");
            dnnl_primitive_desc pd;
            if (k.relu()) {
                dnnl_post_ops ops = new dnnl_post_ops();
                check(dnnl_post_ops_create(ops), "post-ops");
                check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "ReLU post-op");
                dnnl_primitive_attr attr = new dnnl_primitive_attr();
                check(dnnl_primitive_attr_create(attr), "attributes");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
                pd = primitiveDesc(conv, null, attr);
                dnnl_primitive_attr_destroy(attr);
                dnnl_post_ops_destroy(ops);
            } else {
                pd = primitiveDesc(conv, null, null);
            }
            requireKernel(pd);
            src = new Memory(srcMd, false);
            dst = new Memory(dstMd, false);
            bias = k.bias() ? new Memory(biasMd, false) : null;
            weightsOihw = new Memory(oihw, false);
            blockedWeights = new Memory(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), true);
            forward = primitive(pd);
            toBlockedWeights = reorder(oihw, blockedWeights.desc);
            usable = true;
        }
    }
}
