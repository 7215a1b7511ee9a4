package io.inception4j.graph.layers;

import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;

import static io.inception4j.graph.layers.OneDnn.check;
import static io.inception4j.graph.layers.OneDnn.desc;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * One NHWC convolution's shape as oneDNN 2.5 sees it, shared by {@link OneDnnConvForward} and
 * {@link OneDnnConvBackward} (part of their cache keys): input [n, h, w, c], weights [k, c, kh, kw] (DL4J's
 * order), stride, top/left padding, output [n, oh, ow, k], and whether there is a bias.
 */
record ConvGeometry(long n, long h, long w, long c, long k, long kh, long kw, long sh, long sw, long padTop, long padLeft,
                    long oh, long ow, boolean bias) {

    dnnl_memory_desc_t src() {
        return desc(new long[] {n, c, h, w}, dnnl_nhwc);
    }

    dnnl_memory_desc_t dst() {
        return desc(new long[] {n, k, oh, ow}, dnnl_nhwc);
    }

    /** Weights in the layout the kernel prefers (queried from the primitive afterwards). */
    dnnl_memory_desc_t anyWeights() {
        return desc(weightDims(), dnnl_format_tag_any);
    }

    /** Weights as DL4J keeps them: [out, in, kH, kW]. */
    dnnl_memory_desc_t oihw() {
        return desc(weightDims(), dnnl_oihw);
    }

    /** The bias's descriptor, or null without one. */
    dnnl_memory_desc_t biasDesc() {
        return bias ? desc(new long[] {k}, dnnl_x) : null;
    }

    long[] strides() {
        return new long[] {sh, sw};
    }

    long[] leftPadding() {
        return new long[] {padTop, padLeft};
    }

    long[] rightPadding() {
        return OneDnn.padRight(new long[] {h, w}, new long[] {oh, ow}, new long[] {kh, kw}, strides(), leftPadding());
    }

    /** The forward convolution (direct algorithm) for training or inference: the descriptor and the backward passes' hint. */
    dnnl_convolution_desc_t forward(boolean training) {
        dnnl_convolution_desc_t conv = new dnnl_convolution_desc_t();
        check(dnnl_convolution_forward_desc_init(conv, training ? dnnl_forward_training : dnnl_forward_inference,
                dnnl_convolution_direct, src(), anyWeights(), biasDesc(), dst(), strides(), leftPadding(), rightPadding()), "forward descriptor");
        return conv;
    }

    private long[] weightDims() {
        return new long[] {k, c, kh, kw};
    }
}
