package io.inception4j.graph.layers;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
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

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * oneDNN 2.5 through the JavaCPP {@code dnnl} preset, beside the oneDNN 2.3 that libnd4j 1.0.0-M2.1 links inside
 * itself (with its symbols hidden, so it cannot be called directly). Used where libnd4j's own calls are slower:
 * {@link OneDnnConvForward}, {@link OneDnnConvBackward}, {@link OneDnnBatchNorm} and {@link OneDnnMaxPool}. It runs on ND4J's arrays in place (their native
 * addresses), with one engine per process and one stream per thread; primitives are created once per shape.
 *
 * <p>{@code -Dinception4j.onednn25=false} (or {@code INCEPTION4J_ONEDNN25=false} in the environment, which leaves the
 * launcher's memory defaults alone) keeps everything on libnd4j, for comparisons; on a backend other than
 * ND4J's CPU one, or where the library does not load, nothing here is used.
 */
final class OneDnn {
    private static final Logger log = LoggerFactory.getLogger(OneDnn.class);
    private static final boolean ENABLED = !"false".equalsIgnoreCase(
            System.getProperty("inception4j.onednn25", System.getenv("INCEPTION4J_ONEDNN25")));

    private static volatile Boolean loaded;
    private static dnnl_engine engine;
    private static final ThreadLocal<dnnl_stream> STREAM = new ThreadLocal<>();

    private OneDnn() {}

    /** Whether oneDNN 2.5 is on: switched on, a CPU backend, and the library loaded (tried once). */
    static boolean available() {
        if (!ENABLED) return false;
        Boolean l = loaded;
        if (l != null) return l;
        synchronized (OneDnn.class) {
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
            log.info("oneDNN 2.5 (org.bytedeco:dnnl) did not load ({}); its layers' work stays on libnd4j", t.toString());
            return false;
        }
    }

    /** Whether oneDNN can take this array as it is: float and dense in C order (any stride where a size is 1). */
    static boolean fits(INDArray a) {
        if (a.dataType() != DataType.FLOAT) return false;
        long expected = 1;
        for (int i = a.rank() - 1; i >= 0; i--) {
            if (a.size(i) != 1 && a.stride(i) != expected) return false;
            expected *= a.size(i);
        }
        return true;
    }

    static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN 2.5: " + what + " failed with status " + status);
    }

    /** Executes a primitive on (argument kind, memory) pairs and waits for it. */
    static void run(dnnl_primitive primitive, Object... kindsAndMemories) {
        int n = kindsAndMemories.length / 2;
        dnnl_stream stream = stream();
        try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(n)) {
            for (int i = 0; i < n; i++) {
                args.position(i).arg((Integer) kindsAndMemories[2 * i]).memory(((Memory) kindsAndMemories[2 * i + 1]).memory);
            }
            check(dnnl_primitive_execute(primitive, stream, n, args.position(0)), "execute");
        }
        check(dnnl_stream_wait(stream), "wait");
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

    /**
     * oneDNN's right (bottom) padding for a window op, from the output size DL4J computed: (o - 1) * s + k - in - left
     * per axis (negative where a valid-mode window drops the last rows). Arguments are {height, width} pairs.
     */
    static long[] padRight(long[] in, long[] out, long[] kernel, long[] stride, long[] padLeft) {
        return new long[] {(out[0] - 1) * stride[0] + kernel[0] - in[0] - padLeft[0], (out[1] - 1) * stride[1] + kernel[1] - in[1] - padLeft[1]};
    }

    static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dnnl_f32, tag), "memory descriptor");
        return md;
    }

    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint) {
        return primitiveDesc(opDesc, hint, null);
    }

    /** With attributes (post-ops), or none when {@code attr} is null. */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, dnnl_primitive_attr attr) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), attr, engine, hint), "primitive descriptor");
        return pd;
    }

    /** oneDNN falls back to its reference implementation where no optimised kernel fits: far too slow to use. */
    static void requireKernel(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation name");
            String impl = name.get(BytePointer.class, 0).getString();
            if (impl.startsWith("ref")) throw new IllegalStateException("only the reference implementation (" + impl + ")");
        }
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive");
        return p;
    }

    static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null), "reorder descriptor");
        return primitive(pd);
    }

    /**
     * The workspace a training forward pass leaves for its backward pass (where each maximum was, which outputs a
     * fused ReLU zeroed), owned by the layer between the two; grown as needed, never shrunk.
     */
    static final class Workspace {
        private BytePointer bytes;

        Pointer ofSize(long size) {
            if (bytes == null || bytes.capacity() < size) {
                if (bytes != null) bytes.close();
                bytes = new BytePointer(size);
            }
            return bytes;
        }

        /** The buffer of the last forward pass; throws if there was none. */
        Pointer filled() {
            if (bytes == null) throw new IllegalStateException("oneDNN 2.5: a backward pass without its forward pass's workspace");
            return bytes;
        }
    }

    /** A oneDNN memory object whose data is an ND4J array's (set before each call) or a buffer of its own. */
    static final class Memory {
        final dnnl_memory_desc_t desc;
        final dnnl_memory memory = new dnnl_memory();
        /** For a buffer of its own: kept reachable as long as the memory object. */
        private final Pointer own;

        Memory(dnnl_memory_desc_t desc, boolean ownBuffer) {
            this.desc = desc;
            this.own = ownBuffer ? new BytePointer(dnnl_memory_desc_get_size(desc)) : null;
            check(dnnl_memory_create(memory, desc, engine, ownBuffer ? own : new Pointer()), "memory");
        }

        /** This memory's data is now the array's (which must {@link #fits fit}); returns this. */
        Memory set(INDArray array) {
            if (!fits(array)) throw new IllegalArgumentException("oneDNN 2.5: expected a dense C-order float array, got " + array.shapeInfoToString());
            // ND4J views carry their own buffer whose address is the view's first element.
            check(dnnl_memory_set_data_handle(memory, array.data().addressPointer()), "set handle");
            return this;
        }

        /** This memory's data is now at {@code data} (a buffer of at least this memory's size); returns this. */
        Memory set(Pointer data) {
            check(dnnl_memory_set_data_handle(memory, data), "set handle");
            return this;
        }
    }
}
