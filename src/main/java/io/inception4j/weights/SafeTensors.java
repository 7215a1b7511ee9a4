package io.inception4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.config.ConfigException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Checked before anything is read: the header
 * is at most 100 MB, every range lies inside the file and matches its dtype and shape, ranges do not overlap.
 */
public final class SafeTensors {
    static final long MAX_HEADER = 100L << 20;
    private static final Map<String, Integer> WIDTH = Map.of("F32", 4, "F64", 8, "F16", 2, "BF16", 2, "I64", 8, "I32", 4,
            "I16", 2, "I8", 1, "U8", 1, "BOOL", 1);

    private SafeTensors() {}

    public static Map<String, Tensor> read(Path file) {
        if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(len, 0) != 8) throw bad(file, "shorter than its 8-byte header length");
            long n = len.getLong(0);
            if (n < 2 || n > MAX_HEADER || 8 + n > size) throw bad(file, "its header length " + n + " does not fit the file (" + size + " bytes)");
            ByteBuffer header = ByteBuffer.allocate((int) n);
            ch.read(header, 8);
            JsonNode json = new ObjectMapper().readTree(header.array());
            long dataStart = 8 + n, dataSize = size - dataStart;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                String dtype = t.path("dtype").asText();
                Integer width = WIDTH.get(dtype);
                if (width == null) throw bad(file, "tensor " + e.getKey() + " has an unknown dtype '" + dtype + "'");
                long[] shape = new long[t.path("shape").size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong(-1);
                    if (shape[i] < 0) throw bad(file, "tensor " + e.getKey() + " has a negative dimension");
                    count = Math.multiplyExact(count, shape[i]);
                }
                long begin = t.path("data_offsets").path(0).asLong(-1), end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataSize || end - begin != count * width) {
                    throw bad(file, String.format(Locale.ROOT, "tensor %s: bytes %d..%d do not hold %s %s within the %,d data bytes",
                            e.getKey(), begin, end, dtype, java.util.Arrays.toString(shape), dataSize));
                }
                if (!dtype.startsWith("F") && !dtype.equals("BF16")) continue; // integer tensors (batch counters) are not weights
                if (count > Integer.MAX_VALUE) throw bad(file, "tensor " + e.getKey() + " is too large");
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(data, dataStart + begin);
                float[] values = new float[(int) count];
                for (int i = 0; i < count; i++) {
                    values[i] = switch (dtype) {
                        case "F32" -> data.getFloat(i * 4);
                        case "F64" -> (float) data.getDouble(i * 8);
                        case "F16" -> TorchCheckpoint.halfToFloat(data.getShort(i * 2));
                        default -> Float.intBitsToFloat((data.getShort(i * 2) & 0xffff) << 16);
                    };
                }
                out.put(e.getKey(), new Tensor(e.getKey(), shape, values));
            }
            return out;
        } catch (IOException e) {
            throw bad(file, e.getMessage());
        } catch (ArithmeticException e) {
            throw bad(file, "a tensor's size overflows");
        }
    }

    private static ConfigException bad(Path file, String reason) {
        return new ConfigException(file + ": not a readable safetensors file: " + reason);
    }
}
