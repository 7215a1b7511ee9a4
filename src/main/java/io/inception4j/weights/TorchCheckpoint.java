package io.inception4j.weights;

import io.inception4j.config.ConfigException;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A PyTorch checkpoint as {@code torch.save} writes it since PyTorch 1.6: a zip holding {@code <name>/data.pkl}
 * (the state dict, pickled, whose tensors refer to storages by key) and {@code <name>/data/<key>} (each
 * storage's raw little-endian values). Bounded like {@link io.inception4j.archive}'s readers: the pickle is at
 * most 64 MB and is unpickled by Pyrolite, which builds plain Java maps and lists and runs nothing (any class
 * not registered below is refused); each storage must hold exactly the bytes its pickled element count says,
 * and at most 4 GB in all; a tensor must lie inside its storage. A checkpoint that wraps the state dict ({@code {"state_dict": ...}}, {@code {"model": ...}})
 * is unwrapped.
 */
public final class TorchCheckpoint {
    static final long MAX_PICKLE_BYTES = 64L << 20;
    static final long MAX_TOTAL_BYTES = 4L << 30;

    private TorchCheckpoint() {}

    /** A storage the pickle refers to: its key, element type and element count. */
    record StorageRef(String key, String type, long count) {}

    /** A tensor as pickled: a view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /** The storage classes PyTorch pickles by name, and their element sizes. */
    static final Map<String, Integer> STORAGE_BYTES = Map.of(
            "FloatStorage", 4, "DoubleStorage", 8, "HalfStorage", 2, "BFloat16Storage", 2,
            "LongStorage", 8, "IntStorage", 4, "ShortStorage", 2, "CharStorage", 1, "ByteStorage", 1, "BoolStorage", 1);

    /** Marks a storage class global in the pickle (e.g. torch.FloatStorage) without constructing anything. */
    record StorageType(String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return this;
        }
    }

    static {
        for (String s : STORAGE_BYTES.keySet()) Unpickler.registerConstructor("torch", s, new StorageType(s));
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", args -> {
            if (args.length < 4 || !(args[0] instanceof StorageRef s)) throw new PickleException("not a tensor: " + java.util.Arrays.toString(args));
            return new TensorRef(s, ((Number) args[1]).longValue(), longs(args[2]), longs(args[3]));
        });
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new StateDict());
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]); // nn.Parameter(tensor, ...)
    }

    /** OrderedDict as pickled by PyTorch, whose BUILD sets an attribute (_metadata) we do not need. */
    public static final class StateDict extends LinkedHashMap<String, Object> {
        public void __setstate__(java.util.HashMap<String, Object> ignored) {
            // _metadata: module versions, unused
        }
    }

    /** IEEE half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits >>> 15) << 31, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0) return Float.intBitsToFloat(sign) + (sign != 0 ? -1 : 1) * mant * 0x1p-24f; // zero, subnormal
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));         // inf, NaN
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static long[] longs(Object tuple) {
        Object[] t = tuple instanceof Object[] a ? a : ((List<?>) tuple).toArray();
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) out[i] = ((Number) t[i]).longValue();
        return out;
    }

    /** Reads the checkpoint's floating-point tensors by name (integer ones, e.g. BatchNorm's batch counters, are left out). */
    public static Map<String, Tensor> read(Path file) {
        if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such checkpoint");
        // ZipFile (the central directory), not ZipInputStream: torch.save stores entries uncompressed with
        // data descriptors, which a streaming reader cannot size.
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<? extends ZipEntry> pickles = zip.stream().filter(e -> e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl")).toList();
            if (pickles.isEmpty()) throw bad(file, "no data.pkl (not a PyTorch checkpoint)");
            if (pickles.size() > 1) throw bad(file, "more than one data.pkl");
            ZipEntry pkl = pickles.get(0);
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, Object> state = unpickle(file, readAll(zip, pkl, MAX_PICKLE_BYTES, file));
            Map<String, byte[]> storages = new HashMap<>();
            long total = 0;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (var e : tensors(state).entrySet()) {
                TensorRef t = e.getValue();
                if (!isFloat(t.storage().type())) continue;
                String key = t.storage().key();
                byte[] data = storages.get(key);
                if (data == null) {
                    long bytes = Math.multiplyExact(t.storage().count(), (long) STORAGE_BYTES.get(t.storage().type()));
                    total += bytes;
                    if (total > MAX_TOTAL_BYTES) throw bad(file, "its tensors hold more than " + MAX_TOTAL_BYTES + " bytes");
                    ZipEntry entry = zip.getEntry(prefix + "data/" + key);
                    if (entry == null) throw bad(file, "tensor " + e.getKey() + " refers to storage " + key + ", which is missing");
                    data = readAll(zip, entry, bytes, file);
                    if (data.length != bytes) {
                        throw bad(file, String.format(Locale.ROOT, "storage %s holds %,d bytes; its tensors need %,d (cut short?)", key, data.length, bytes));
                    }
                    storages.put(key, data);
                }
                out.put(e.getKey(), new Tensor(e.getKey(), t.shape(), values(file, e.getKey(), t, data)));
            }
            return out;
        } catch (ZipException e) {
            throw bad(file, "not a zip (PyTorch's legacy non-zip format is not read: re-save it with torch.save in PyTorch 1.6 or later) or a corrupt one (" + e.getMessage() + ")");
        } catch (java.io.EOFException e) {
            throw bad(file, "truncated");
        } catch (ArithmeticException e) {
            throw bad(file, "a storage's size overflows");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static boolean isFloat(String type) {
        return type.equals("FloatStorage") || type.equals("DoubleStorage") || type.equals("HalfStorage") || type.equals("BFloat16Storage");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> unpickle(Path file, byte[] pickle) {
        Object root;
        try {
            Unpickler u = new Unpickler() {
                @Override
                protected Object persistentLoad(Object pid) {
                    // ('storage', <storage class>, key, location, element count)
                    Object[] t = pid instanceof Object[] a ? a : ((List<?>) pid).toArray();
                    if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)) {
                        throw new PickleException("unknown persistent id " + java.util.Arrays.toString(t));
                    }
                    return new StorageRef(String.valueOf(t[2]), type.name(), ((Number) t[4]).longValue());
                }
            };
            root = u.loads(pickle);
        } catch (IOException | RuntimeException e) { // PickleException included
            // Pyrolite names a class it was not told about as "... ClassDict (for module.name) ...".
            java.util.regex.Matcher foreign = java.util.regex.Pattern.compile("ClassDict \\(for ([\\w.]+)\\)")
                    .matcher(String.valueOf(e.getMessage()));
            if (foreign.find()) {
                throw bad(file, "its pickle asks for " + foreign.group(1) + ", which no state_dict holds; refused "
                        + "(only tensors, their storages and dicts are read: a pickle can name any code)");
            }
            throw bad(file, "its pickle cannot be read (" + e.getMessage() + ")");
        }
        if (root instanceof Map<?, ?> m) {
            for (String wrapper : List.of("state_dict", "model", "model_state_dict")) {
                if (m.get(wrapper) instanceof Map<?, ?> inner && !inner.isEmpty()) return (Map<String, Object>) inner;
            }
            return (Map<String, Object>) m;
        }
        throw bad(file, "holds a " + (root == null ? "None" : root.getClass().getSimpleName()) + ", not a state dict");
    }

    private static Map<String, TensorRef> tensors(Map<String, Object> state) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (var e : state.entrySet()) if (e.getValue() instanceof TensorRef t) out.put(e.getKey(), t);
        return out;
    }

    /** The tensor's values in row-major order, read through its offset and strides. */
    private static float[] values(Path file, String name, TensorRef t, byte[] data) {
        int width = STORAGE_BYTES.get(t.storage().type());
        long n = 1;
        for (long d : t.shape()) n = Math.multiplyExact(n, d);
        if (n > Integer.MAX_VALUE) throw bad(file, "tensor " + name + " is too large");
        long maxIndex = t.offset();
        for (int i = 0; i < t.shape().length; i++) if (t.shape()[i] > 0) maxIndex += (t.shape()[i] - 1) * t.stride()[i];
        if (n > 0 && (t.offset() < 0 || maxIndex >= t.storage().count())) {
            throw bad(file, "tensor " + name + " reaches outside its storage");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) n];
        long[] idx = new long[t.shape().length];
        for (int i = 0; i < n; i++) {
            long pos = t.offset();
            for (int d = 0; d < idx.length; d++) pos += idx[d] * t.stride()[d];
            int at = (int) (pos * width);
            out[i] = switch (t.storage().type()) {
                case "FloatStorage" -> b.getFloat(at);
                case "DoubleStorage" -> (float) b.getDouble(at);
                case "HalfStorage" -> halfToFloat(b.getShort(at));
                default -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16); // bfloat16
            };
            for (int d = idx.length - 1; d >= 0; d--) { // next index, row-major
                if (++idx[d] < t.shape()[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** An entry's bytes, at most {@code limit} of them whatever the entry claims. */
    private static byte[] readAll(ZipFile zip, ZipEntry entry, long limit, Path file) throws IOException {
        if (entry.getSize() > limit) {
            throw bad(file, String.format(Locale.ROOT, "entry %s holds %,d bytes, more than the %,d it may", entry.getName(), entry.getSize(), limit));
        }
        try (InputStream in = zip.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(entry.getSize(), 0), limit));
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                out.write(buf, 0, r);
                if (out.size() > limit) throw bad(file, String.format(Locale.ROOT, "entry %s holds more than the %,d bytes it may", entry.getName(), limit));
            }
            return out.toByteArray();
        }
    }

    static ConfigException bad(Path file, String reason) {
        return new ConfigException(file + ": not a readable PyTorch checkpoint: " + reason);
    }
}
