package io.inception4j.graph.layers;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

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
 * hundreds of times slower), and any machine where the library does not load, goes back to libnd4j.
 */
final class OneDnnConvBackward {
    private static final Logger log = LoggerFactory.getLogger(OneDnnConvBackward.class);

    /** {@code -Dinception4j.onednn25=false} keeps every convolution's backward pass on libnd4j (for comparisons). */
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("inception4j.onednn25"));

    private static volatile Boolean loaded;
    private static dnnl_engine engine;
    private static final ThreadLocal<dnnl_stream> STREAM = new ThreadLocal<>();
    private static final ThreadLocal<Map<Key, Primitives>> CACHE = ThreadLocal.withInitial(HashMap::new);

    private OneDnnConvBackward() {}

    /** The shape of one convolution: NHWC input [n, h, w, c], [k, c, kh, kw] weights, output [n, oh, ow, k]. */
    record Key(long n, long h, long w, long c, long k, long kh, long kw, long sh, long sw, long padTop, long padLeft,
               long oh, long ow, boolean bias, boolean inputGradient) {
    }

    /**
     * Whether this backward pass runs here: float, no dilation, oneDNN 2.5 loaded on a CPU backend, and not a 3x3
     * stride-1 convolution (libnd4j's Winograd kernels), unless the input gradient is not wanted.
     */
    static boolean takes(DataType type, int[] kernel, int[] stride, int[] dilation, boolean inputGradient) {
        if (!ENABLED || type != DataType.FLOAT || dilation[0] != 1 || dilation[1] != 1) return false;
        boolean winograd = kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1;
        return (!winograd || !inputGradient) && loaded();
    }

    /** Whether oneDNN can take this array as it is: float, C order, dense. */
    static boolean fits(INDArray a) {
        if (a.dataType() != DataType.FLOAT) return false;
        long expected = 1;
        for (int i = a.rank() - 1; i >= 0; i--) { // C-order strides (any stride where a dimension has size 1)
            if (a.size(i) != 1 && a.stride(i) != expected) return false;
            expected *= a.size(i);
        }
        return true;
    }

    private static boolean loaded() {
        Boolean l = loaded;
        if (l != null) return l;
        synchronized (OneDnnConvBackward.class) {
            if (loaded == null) loaded = load();
            return loaded;
        }
    }

    private static boolean load() {
        if (!Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu")) return false;
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "engine");
            engine = e;
            return true;
        } catch (Throwable t) {
            log.info("oneDNN 2.5 (org.bytedeco:dnnl) did not load ({}); convolution backward passes stay on libnd4j", t.toString());
            return false;
        }
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
        dnnl_stream stream = stream();
        p.weightsOihw.set(weights);
        if (key.inputGradient()) {
            p.diffDst.set(delta);
            p.diffSrc.set(inputGrad);
            run(p.toDataWeights, stream, DNNL_ARG_FROM, p.weightsOihw, DNNL_ARG_TO, p.dataWeights);
            run(p.backwardData, stream, DNNL_ARG_DIFF_DST, p.diffDst, DNNL_ARG_WEIGHTS, p.dataWeights, DNNL_ARG_DIFF_SRC, p.diffSrc);
        }
        p.src.set(x);
        p.diffDst.set(delta);
        p.weightGradOihw.set(weightGrad);
        if (key.bias()) {
            p.biasGrad.set(biasGrad);
            run(p.backwardWeights, stream, DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst,
                    DNNL_ARG_DIFF_WEIGHTS, p.blockedWeightGrad, DNNL_ARG_DIFF_BIAS, p.biasGrad);
        } else {
            run(p.backwardWeights, stream, DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst, DNNL_ARG_DIFF_WEIGHTS, p.blockedWeightGrad);
        }
        run(p.fromBlockedWeightGrad, stream, DNNL_ARG_FROM, p.blockedWeightGrad, DNNL_ARG_TO, p.weightGradOihw);
        check(dnnl_stream_wait(stream), "wait");
        return true;
    }

    private static dnnl_stream stream() {
        dnnl_stream s = STREAM.get();
        if (s == null) {
            s = new dnnl_stream();
            check(dnnl_stream_create(s, engine, dnnl_stream_default_flags), "stream");
            STREAM.set(s);
        }
        return s;
    }

    /** Executes a primitive on (argument kind, memory) pairs. */
    private static void run(dnnl_primitive primitive, dnnl_stream stream, Object... kindsAndMemories) {
        int n = kindsAndMemories.length / 2;
        try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(n)) {
            for (int i = 0; i < n; i++) {
                args.position(i).arg((Integer) kindsAndMemories[2 * i]).memory(((Memory) kindsAndMemories[2 * i + 1]).memory);
            }
            check(dnnl_primitive_execute(primitive, stream, n, args.position(0)), "execute");
        }
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN 2.5: " + what + " failed with status " + status);
    }

    /** A oneDNN memory object whose data is an ND4J array's (set before each call) or a buffer of its own. */
    private static final class Memory {
        final dnnl_memory_desc_t desc;
        final dnnl_memory memory = new dnnl_memory();
        /** For a buffer of its own: kept reachable as long as the memory object. */
        private final Pointer own;

        Memory(dnnl_memory_desc_t desc, boolean ownBuffer) {
            this.desc = desc;
            this.own = ownBuffer ? new BytePointer(dnnl_memory_desc_get_size(desc)) : null;
            check(dnnl_memory_create(memory, desc, engine, ownBuffer ? own : new Pointer()), "memory");
        }

        void set(INDArray array) {
            if (!fits(array)) throw new IllegalArgumentException("oneDNN 2.5 convolution: expected a dense C-order float array, got " + array.shapeInfoToString());
            // ND4J views carry their own buffer whose address is the view's first element.
            check(dnnl_memory_set_data_handle(memory, array.data().addressPointer()), "set handle");
        }
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
            dnnl_memory_desc_t srcMd = desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            dnnl_memory_desc_t dstMd = desc(new long[] {k.n(), k.k(), k.oh(), k.ow()}, dnnl_nhwc);
            long[] weightDims = {k.k(), k.c(), k.kh(), k.kw()};
            dnnl_memory_desc_t anyWeights = desc(weightDims, dnnl_format_tag_any), oihw = desc(weightDims, dnnl_oihw);
            dnnl_memory_desc_t biasMd = k.bias() ? desc(new long[] {k.k()}, dnnl_x) : null;
            long[] strides = {k.sh(), k.sw()}, padLeft = {k.padTop(), k.padLeft()};
            // oneDNN's right padding makes the output size come out: (o - 1) * s + kernel - in - left
            long[] padRight = {(k.oh() - 1) * k.sh() + k.kh() - k.h() - k.padTop(), (k.ow() - 1) * k.sw() + k.kw() - k.w() - k.padLeft()};

            dnnl_convolution_desc_t forward = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(forward, dnnl_forward_training, dnnl_convolution_direct, srcMd, anyWeights,
                    biasMd, dstMd, strides, padLeft, padRight), "forward descriptor");
            dnnl_primitive_desc forwardHint = primitiveDesc(new const_dnnl_op_desc_t(forward), null);

            dnnl_convolution_desc_t weights = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_weights_desc_init(weights, dnnl_convolution_direct, srcMd, anyWeights, biasMd, dstMd,
                    strides, padLeft, padRight), "backward-weights descriptor");
            dnnl_primitive_desc weightsPd = primitiveDesc(new const_dnnl_op_desc_t(weights), forwardHint);
            requireKernel(weightsPd);
            src = new Memory(srcMd, false);
            diffDst = new Memory(dstMd, false);
            weightGradOihw = new Memory(oihw, false);
            blockedWeightGrad = new Memory(dnnl_primitive_desc_query_md(weightsPd, dnnl_query_diff_weights_md, 0), true);
            biasGrad = k.bias() ? new Memory(biasMd, false) : null;
            backwardWeights = primitive(weightsPd);
            fromBlockedWeightGrad = reorder(blockedWeightGrad.desc, oihw);

            if (k.inputGradient()) {
                dnnl_convolution_desc_t data = new dnnl_convolution_desc_t();
                check(dnnl_convolution_backward_data_desc_init(data, dnnl_convolution_direct, srcMd, anyWeights, dstMd, strides,
                        padLeft, padRight), "backward-data descriptor");
                dnnl_primitive_desc dataPd = primitiveDesc(new const_dnnl_op_desc_t(data), forwardHint);
                requireKernel(dataPd);
                diffSrc = new Memory(srcMd, false);
                weightsOihw = new Memory(oihw, false);
                dataWeights = new Memory(dnnl_primitive_desc_query_md(dataPd, dnnl_query_weights_md, 0), true);
                backwardData = primitive(dataPd);
                toDataWeights = reorder(oihw, dataWeights.desc);
            } else {
                weightsOihw = new Memory(oihw, false);
            }
            usable = true;
        }

        private static dnnl_memory_desc_t desc(long[] dims, int tag) {
            dnnl_memory_desc_t md = new dnnl_memory_desc_t();
            check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dnnl_f32, tag), "memory descriptor");
            return md;
        }

        private static dnnl_primitive_desc primitiveDesc(const_dnnl_op_desc_t op, dnnl_primitive_desc hint) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, op, null, engine, hint), "primitive descriptor");
            return pd;
        }

        /** oneDNN falls back to its reference implementation where no optimised kernel fits: far too slow to use. */
        private static void requireKernel(dnnl_primitive_desc pd) {
            try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
                check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation name");
                String impl = name.get(BytePointer.class, 0).getString();
                if (impl.startsWith("ref")) throw new IllegalStateException("only the reference implementation (" + impl + ")");
            }
        }

        private static dnnl_primitive primitive(dnnl_primitive_desc pd) {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), "primitive");
            return p;
        }

        private static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null), "reorder descriptor");
            return primitive(pd);
        }
    }
}
