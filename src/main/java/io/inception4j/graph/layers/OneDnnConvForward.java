package io.inception4j.graph.layers;

import io.inception4j.graph.layers.OneDnn.Memory;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
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

    /** The shape of one convolution, whether a ReLU is fused in, and whether it trains. */
    record Key(ConvGeometry shape, boolean relu, boolean training) {
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
        if (key.shape().bias()) {
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
            ConvGeometry g = k.shape();
            dnnl_convolution_desc_t conv = g.forward(k.training());
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
            src = new Memory(g.src(), false);
            dst = new Memory(g.dst(), false);
            bias = g.bias() ? new Memory(g.biasDesc(), false) : null;
            weightsOihw = new Memory(g.oihw(), false);
            blockedWeights = new Memory(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), true);
            forward = primitive(pd);
            toBlockedWeights = reorder(weightsOihw.desc, blockedWeights.desc);
            usable = true;
        }
    }
}
