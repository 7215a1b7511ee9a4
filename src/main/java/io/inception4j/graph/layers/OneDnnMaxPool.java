package io.inception4j.graph.layers;

import io.inception4j.graph.layers.OneDnn.Memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
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
 * Max pooling on NHWC activations with oneDNN 2.5, keeping the training forward pass's workspace (where each
 * window's maximum was) for the backward pass, which then only routes each gradient to its place.
 *
 * <p>Why: libnd4j's {@code maxpool2d_bp} recomputes the forward pass to find the maxima, on oneDNN 2.3 or on its
 * own loops; it was 9% of Inception v3's training step and 4% of GoogLeNet's (scripts/profile-layers). Gradients
 * of an input that is the maximum of several overlapping windows are summed in one fixed order (the same in every
 * process: a resumed run continues exactly). Ties go to the first maximum in the window, as libnd4j's.
 */
final class OneDnnMaxPool {
    private static final Logger log = LoggerFactory.getLogger(OneDnnMaxPool.class);

    private static final ThreadLocal<Map<Key, Primitives>> CACHE = ThreadLocal.withInitial(HashMap::new);

    private OneDnnMaxPool() {}

    /** One pooling shape: NHWC input [n, h, w, c], window, stride, top/left padding, output [n, oh, ow, c]. */
    record Key(long n, long h, long w, long c, long kh, long kw, long sh, long sw, long padTop, long padLeft, long oh, long ow) {
    }

    /** Pools {@code x} into {@code out}; with a workspace (training), fills it for {@link #backward}. False: no kernel here. */
    static boolean forward(Key key, INDArray x, INDArray out, OneDnn.Workspace ws) {
        Primitives p = primitives(key);
        if (!p.usable) return false;
        if (ws == null) {
            run(p.inference, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_DST, p.dst.set(out));
        } else {
            run(p.training, DNNL_ARG_SRC, p.src.set(x), DNNL_ARG_DST, p.dst.set(out),
                    DNNL_ARG_WORKSPACE, p.workspace.set(ws.ofSize(p.workspaceBytes)));
        }
        return true;
    }

    /** The input gradient from the output gradient and the workspace of this shape's training forward pass. */
    static void backward(Key key, INDArray delta, INDArray inputGrad, OneDnn.Workspace ws) {
        Primitives p = primitives(key);
        if (!p.usable) throw new IllegalStateException("oneDNN 2.5 max pooling: backward for a shape without a kernel");
        run(p.backward, DNNL_ARG_DIFF_DST, p.diffDst.set(delta), DNNL_ARG_WORKSPACE, p.workspace.set(ws.filled()),
                DNNL_ARG_DIFF_SRC, p.diffSrc.set(inputGrad));
    }

    /** Whether this shape has oneDNN 2.5 kernels (built on first use). */
    static boolean usable(Key key) {
        return primitives(key).usable;
    }

    private static Primitives primitives(Key key) {
        Map<Key, Primitives> cache = CACHE.get();
        Primitives p = cache.get(key);
        if (p == null) {
            p = Primitives.create(key);
            cache.put(key, p);
        }
        return p;
    }

    private static final class Primitives {
        boolean usable;
        dnnl_primitive inference, training, backward;
        Memory src, dst, diffDst, diffSrc, workspace;
        long workspaceBytes;

        static Primitives create(Key k) {
            Primitives p = new Primitives();
            try {
                p.build(k);
            } catch (RuntimeException e) {
                log.debug("oneDNN 2.5 has no max pooling kernel for {}: {}", k, e.getMessage());
                p.usable = false;
            }
            return p;
        }

        private void build(Key k) {
            dnnl_memory_desc_t srcMd = desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            dnnl_memory_desc_t dstMd = desc(new long[] {k.n(), k.c(), k.oh(), k.ow()}, dnnl_nhwc);
            long[] kernel = {k.kh(), k.kw()}, strides = {k.sh(), k.sw()}, padLeft = {k.padTop(), k.padLeft()};
            long[] padRight = OneDnn.padRight(new long[] {k.h(), k.w()}, new long[] {k.oh(), k.ow()}, kernel, strides, padLeft);

            dnnl_pooling_desc_t infer = new dnnl_pooling_desc_t();
            check(dnnl_pooling_forward_desc_init(infer, dnnl_forward_inference, dnnl_pooling_max, srcMd, dstMd, strides, kernel,
                    padLeft, padRight), "pooling inference descriptor");
            dnnl_primitive_desc inferPd = primitiveDesc(infer, null);
            requireKernel(inferPd);
            dnnl_pooling_desc_t train = new dnnl_pooling_desc_t();
            check(dnnl_pooling_forward_desc_init(train, dnnl_forward_training, dnnl_pooling_max, srcMd, dstMd, strides, kernel,
                    padLeft, padRight), "pooling training descriptor");
            dnnl_primitive_desc trainPd = primitiveDesc(train, null);
            requireKernel(trainPd);
            dnnl_pooling_desc_t back = new dnnl_pooling_desc_t();
            check(dnnl_pooling_backward_desc_init(back, dnnl_pooling_max, srcMd, dstMd, strides, kernel, padLeft, padRight),
                    "pooling backward descriptor");
            dnnl_primitive_desc backPd = primitiveDesc(back, trainPd);
            requireKernel(backPd);

            dnnl_memory_desc_t wsMd = dnnl_primitive_desc_query_md(trainPd, dnnl_query_workspace_md, 0);
            workspaceBytes = dnnl_memory_desc_get_size(wsMd);
            src = new Memory(srcMd, false);
            dst = new Memory(dstMd, false);
            diffDst = new Memory(dstMd, false);
            diffSrc = new Memory(srcMd, false);
            workspace = new Memory(wsMd, false);
            inference = primitive(inferPd);
            training = primitive(trainPd);
            backward = primitive(backPd);
            usable = true;
        }
    }
}
