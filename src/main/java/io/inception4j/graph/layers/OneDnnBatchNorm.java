package io.inception4j.graph.layers;

import io.inception4j.graph.layers.OneDnn.Memory;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
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
import static io.inception4j.graph.layers.OneDnn.desc;
import static io.inception4j.graph.layers.OneDnn.primitive;
import static io.inception4j.graph.layers.OneDnn.primitiveDesc;
import static io.inception4j.graph.layers.OneDnn.requireKernel;
import static io.inception4j.graph.layers.OneDnn.run;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Batch normalisation's training passes on NHWC activations in oneDNN 2.5's kernels ({@link OneDnn}), for
 * {@link FastBatchNormLayer}: one primitive computes the batch mean and (biased) variance and normalises, one
 * the input, scale and shift gradients, where the same arithmetic in libnd4j's element-wise ops takes five
 * passes over the data forward and seven backward (batch norm's share of GoogLeNet's training step fell from
 * 21.6% to 10.7%: results/bench/README.md). Inference keeps {@link FastBatchNormLayer}'s own path, or is folded into the
 * convolution before it.
 */
final class OneDnnBatchNorm {
    private static final Logger log = LoggerFactory.getLogger(OneDnnBatchNorm.class);
    private static final ThreadLocal<Map<Key, Primitives>> CACHE = ThreadLocal.withInitial(HashMap::new);

    private OneDnnBatchNorm() {}

    /**
     * An NHWC activation [n, h, w, c], the epsilon added to the variance, and whether a ReLU is fused in (oneDNN's
     * {@code fuse_norm_relu}: the output is written rectified, and the backward pass masks the output's gradient
     * with the workspace the forward pass leaves, so the ReLU costs no pass of its own either way).
     */
    record Key(long n, long h, long w, long c, float eps, boolean relu) {
    }

    static boolean takes(DataType type) {
        return type == DataType.FLOAT && OneDnn.available();
    }

    /**
     * out = gamma * (x - mean) / sqrt(var + eps) + beta with the batch's statistics, which are written to {@code mean}
     * and {@code variance} ([c] each). False, having written nothing, where oneDNN 2.5 has no kernel for the shape.
     */
    static boolean forward(Key key, INDArray x, INDArray gamma, INDArray beta, INDArray out, INDArray mean, INDArray variance,
                           OneDnn.Workspace ws) {
        Primitives p = primitives(key);
        if (p == null) return false;
        if (key.relu()) {
            run(p.forward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_SCALE, p.scale.set(gamma), DNNL_ARG_SHIFT, p.shift.set(beta),
                    DNNL_ARG_DST, p.dst.set(out), DNNL_ARG_MEAN, p.mean.set(mean), DNNL_ARG_VARIANCE, p.variance.set(variance),
                    DNNL_ARG_WORKSPACE, p.workspace.set(ws.ofSize(p.workspaceBytes)));
        } else {
            run(p.forward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_SCALE, p.scale.set(gamma), DNNL_ARG_SHIFT, p.shift.set(beta),
                    DNNL_ARG_DST, p.dst.set(out), DNNL_ARG_MEAN, p.mean.set(mean), DNNL_ARG_VARIANCE, p.variance.set(variance));
        }
        return true;
    }

    /** The gradients for the input, gamma and beta, from the forward pass's input and statistics and the output's gradient {@code g}. */
    static boolean backward(Key key, INDArray x, INDArray g, INDArray mean, INDArray variance, INDArray gamma, INDArray beta,
                            INDArray dx, INDArray dGamma, INDArray dBeta, OneDnn.Workspace ws) {
        Primitives p = primitives(key);
        if (p == null) return false;
        if (key.relu()) {
            run(p.backward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_DIFF_DST, p.dst.set(g), DNNL_ARG_MEAN, p.mean.set(mean),
                    DNNL_ARG_VARIANCE, p.variance.set(variance), DNNL_ARG_SCALE, p.scale.set(gamma), DNNL_ARG_SHIFT, p.shift.set(beta),
                    DNNL_ARG_DIFF_SRC, p.diffSrc.set(dx), DNNL_ARG_DIFF_SCALE, p.diffScale.set(dGamma), DNNL_ARG_DIFF_SHIFT, p.diffShift.set(dBeta),
                    DNNL_ARG_WORKSPACE, p.workspace.set(ws.filled()));
        } else {
            run(p.backward, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_DIFF_DST, p.dst.set(g), DNNL_ARG_MEAN, p.mean.set(mean),
                    DNNL_ARG_VARIANCE, p.variance.set(variance), DNNL_ARG_SCALE, p.scale.set(gamma), DNNL_ARG_SHIFT, p.shift.set(beta),
                    DNNL_ARG_DIFF_SRC, p.diffSrc.set(dx), DNNL_ARG_DIFF_SCALE, p.diffScale.set(dGamma), DNNL_ARG_DIFF_SHIFT, p.diffShift.set(dBeta));
        }
        return true;
    }

    private static Primitives primitives(Key key) {
        Map<Key, Primitives> cache = CACHE.get();
        Primitives p = cache.get(key);
        if (p == null) {
            p = new Primitives();
            try {
                p.build(key);
            } catch (RuntimeException e) {
                log.debug("oneDNN 2.5 has no batch normalisation for {}: {}", key, e.getMessage());
                p.usable = false;
            }
            cache.put(key, p);
        }
        return p.usable ? p : null;
    }

    /** The primitives and memories of one shape on one thread. */
    private static final class Primitives {
        boolean usable;
        dnnl_primitive forward, backward;
        Memory src, dst, mean, variance, scale, shift, diffSrc, diffScale, diffShift, workspace;
        long workspaceBytes;

        void build(Key k) {
            dnnl_memory_desc_t data = desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            dnnl_memory_desc_t channel = desc(new long[] {k.c()}, dnnl_x);
            int flags = dnnl_use_scale | dnnl_use_shift | (k.relu() ? dnnl_fuse_norm_relu : 0);
            dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
            check(dnnl_batch_normalization_forward_desc_init(fd, dnnl_forward_training, data, k.eps(), flags), "forward descriptor");
            dnnl_primitive_desc forwardPd = primitiveDesc(fd, null);
            requireKernel(forwardPd);
            dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
            check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, k.eps(), flags), "backward descriptor");
            dnnl_primitive_desc backwardPd = primitiveDesc(bd, forwardPd);
            requireKernel(backwardPd);
            forward = primitive(forwardPd);
            backward = primitive(backwardPd);
            src = new Memory(data, false);
            dst = new Memory(data, false);
            diffSrc = new Memory(data, false);
            mean = new Memory(channel, false);
            variance = new Memory(channel, false);
            scale = new Memory(channel, false);
            shift = new Memory(channel, false);
            diffScale = new Memory(channel, false);
            diffShift = new Memory(channel, false);
            if (k.relu()) {
                dnnl_memory_desc_t wsMd = dnnl_primitive_desc_query_md(forwardPd, dnnl_query_workspace_md, 0);
                workspaceBytes = dnnl_memory_desc_get_size(wsMd);
                workspace = new Memory(wsMd, false);
            }
            usable = true;
        }
    }
}
