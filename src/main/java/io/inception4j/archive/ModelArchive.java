package io.inception4j.archive;

import io.inception4j.backend.Backend;
import io.inception4j.config.ConfigException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A DL4J model zip (ModelSerializer's layout, as in our checkpoints and bundles) read in one bounded pass:
 * {@code configuration.json} (at most 32 MB) is parsed first and says how many parameters the network has;
 * {@code coefficients.bin} must then declare exactly that many, of the configured data type, and hold exactly
 * their bytes; {@code updaterState.bin} exactly the updater's state size. Other entries are text of bounded
 * size (our {@code inception4j/*} files) or arrays of exactly one copy of the parameters
 * ({@code inception4j/ema.bin}). A binary entry that inflates more than {@value #MAX_RATIO} times its stored
 * size is a bomb, not trained weights. Every entry's SHA-256 is computed while streaming.
 *
 * <p>Why not ModelSerializer: it inflates every entry into memory before looking at any (a 2.6 MB file that
 * inflates to 2.5 GB ran out of memory after 15 s), allocates whatever an array header declares, reads its
 * central directory rather than the entries it streams, and deserialises Java objects from
 * {@code preprocessor.bin}. The network itself is still DL4J's: built from DL4J's own JSON, parameters and
 * updater state set through DL4J's API.
 */
public final class ModelArchive {
    static final String CONFIG = "configuration.json", COEFFICIENTS = "coefficients.bin", UPDATER = "updaterState.bin",
            NO_PARAMS = "noParams.marker";
    static final long MAX_CONFIG_BYTES = 32L << 20;
    static final long MAX_TEXT_BYTES = 16L << 20;
    static final long MAX_OTHER_BYTES = 1L << 20;
    static final int MAX_ENTRIES = 64;
    /** Trained float parameters barely compress (about 1.1:1); zeros compress 1000:1. */
    static final double MAX_RATIO = 50;
    /** No network of this project comes near: Inception-ResNet-v2 has 56 M. */
    public static final long MAX_PARAMETERS = 400_000_000L;

    private ModelArchive() {}

    /**
     * What was read.
     *
     * @param graph  the network with its parameters (and updater state, if asked for and present)
     * @param texts  the small entries, by name (our metadata: JSON, YAML, labels)
     * @param arrays extra arrays of one copy of the parameters each (e.g. the weight average), by name
     * @param sha256 the SHA-256 of every entry as stored, by name
     */
    public record Contents(ComputationGraph graph, Map<String, byte[]> texts, Map<String, INDArray> arrays,
                           Map<String, String> sha256) {}

    /**
     * @param what        what the file is meant to be, for messages ("checkpoint", "bundle")
     * @param textEntries names (or name prefixes ending in '/') of small entries to keep
     * @param arrayEntries names of entries that hold one copy of the parameters
     */
    public static Contents read(Path file, String what, boolean withUpdater, Set<String> textEntries, Set<String> arrayEntries) {
        if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such " + what);
        // DL4J gives each layer its oneDNN helper, or none, when the layer is created, by a system property read
        // then: a network read back before the backend is prepared would run every layer on the plain path, and
        // a run resumed in a new process would continue on other kernels than the ones it started on.
        Backend.ensureInitialised();
        Map<String, byte[]> texts = new LinkedHashMap<>();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        Map<String, String> sums = new LinkedHashMap<>();
        ComputationGraphConfiguration conf = null;
        ComputationGraph graph = null;
        long numParams = -1;
        boolean gotParams = false;
        try (CountingInputStream raw = new CountingInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16));
             ZipInputStream zip = new ZipInputStream(raw)) {
            int count = 0;
            for (ZipEntry e; (e = nextEntry(zip)) != null; ) {
                String name = e.getName();
                if (++count > MAX_ENTRIES) throw fail(file, what, "more than " + MAX_ENTRIES + " entries");
                if (sums.containsKey(name)) throw fail(file, what, "entry " + name + " appears twice");
                Entry in = new Entry(zip, raw, file, what, name);
                if (name.equals(CONFIG)) {
                    String json = new String(in.readAll(MAX_CONFIG_BYTES), StandardCharsets.UTF_8);
                    conf = parseConfig(file, what, json);
                    numParams = numParams(file, what, conf);
                } else if (name.equals(COEFFICIENTS)) {
                    if (conf == null) throw fail(file, what, CONFIG + " must come before " + COEFFICIENTS);
                    INDArray params = in.readArray(numParams, conf.getDataType());
                    graph = new ComputationGraph(conf);
                    graph.init(params, false);
                    gotParams = true;
                } else if (name.equals(NO_PARAMS)) {
                    in.readAll(64);
                    gotParams = numParams == 0;
                } else if (name.equals(UPDATER)) {
                    if (graph == null) throw fail(file, what, COEFFICIENTS + " must come before " + UPDATER);
                    INDArray view = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
                    if (!withUpdater || view == null) {
                        in.skip(Math.max(64, 4 * numParams * 4 + 4096));
                    } else {
                        view.assign(in.readArray(view.length(), view.dataType()).reshape(view.shape()));
                    }
                } else if (arrayEntries.contains(name)) {
                    if (conf == null) throw fail(file, what, CONFIG + " must come before " + name);
                    arrays.put(name, in.readArray(numParams, conf.getDataType()));
                } else if (isText(name, textEntries)) {
                    texts.put(name, in.readAll(MAX_TEXT_BYTES));
                } else {
                    in.skip(MAX_OTHER_BYTES); // e.g. preprocessor.bin: never deserialised
                }
                sums.put(name, in.sha256());
            }
        } catch (ZipException e) {
            throw fail(file, what, "truncated or corrupt zip (" + e.getMessage() + ")");
        } catch (EOFException e) {
            throw fail(file, what, "truncated or corrupt zip (an entry ends early)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read " + what + " (" + e.getMessage() + ")");
        }
        if (conf == null) throw fail(file, what, "no " + CONFIG + " (not a DL4J model zip)");
        if (!gotParams) throw fail(file, what, "no " + COEFFICIENTS);
        if (graph == null) {
            graph = new ComputationGraph(conf);
            graph.init();
        }
        return new Contents(graph, texts, arrays, sums);
    }

    private static boolean isText(String name, Set<String> textEntries) {
        for (String t : textEntries) if (name.equals(t) || (t.endsWith("/") && name.startsWith(t))) return true;
        return false;
    }

    private static ComputationGraphConfiguration parseConfig(Path file, String what, String json) {
        ComputationGraphConfiguration conf;
        try {
            conf = ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw fail(file, what, "its network configuration cannot be read (" + firstLine(e.getMessage()) + ")");
        }
        if (conf.getVertices() == null || conf.getVertices().isEmpty() || conf.getNetworkInputs() == null) {
            throw fail(file, what, "its network configuration has no vertices");
        }
        return conf;
    }

    /** The parameter count the configuration implies, from each layer's parameter initializer (no allocation). */
    static long numParams(Path file, String what, ComputationGraphConfiguration conf) {
        long n = 0;
        try {
            for (GraphVertex v : conf.getVertices().values()) {
                if (!(v instanceof LayerVertex lv)) continue;
                NeuralNetConfiguration c = lv.getLayerConf();
                n = Math.addExact(n, c.getLayer().initializer().numParams(c));
            }
        } catch (RuntimeException e) { // including ArithmeticException: a count beyond a long
            throw fail(file, what, "its network configuration does not give a parameter count (" + firstLine(e.getMessage()) + ")");
        }
        if (n > MAX_PARAMETERS) {
            throw fail(file, what, String.format(Locale.ROOT, "its configuration declares %,d parameters, over the limit of %,d", n, MAX_PARAMETERS));
        }
        return n;
    }

    static ConfigException fail(Path file, String what, String reason) {
        return new ConfigException(file + ": not a readable " + what + ": " + reason);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** The next entry; java.util.zip answers a name that is not valid UTF-8 with an IllegalArgumentException. */
    private static ZipEntry nextEntry(ZipInputStream zip) throws IOException {
        try {
            return zip.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new ZipException("an entry name is not valid UTF-8");
        }
    }

    /** One entry being read: counts inflated bytes against a limit and the compression ratio, hashes as it goes. */
    private static final class Entry {
        private final ZipInputStream zip;
        private final CountingInputStream raw;
        private final Path file;
        private final String what, name;
        private final MessageDigest sha;
        private final long rawStart;
        private long inflated;

        Entry(ZipInputStream zip, CountingInputStream raw, Path file, String what, String name) {
            this.zip = zip;
            this.raw = raw;
            this.file = file;
            this.what = what;
            this.name = name;
            this.rawStart = raw.count();
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Reads up to {@code n} bytes into {@code buf}; -1 at the end of the entry. */
        private int read(byte[] buf, int off, int n, long limit, boolean binary) throws IOException {
            int r = zip.read(buf, off, n);
            if (r < 0) return r;
            inflated += r;
            sha.update(buf, off, r);
            if (inflated > limit) {
                throw fail(file, what, String.format(Locale.ROOT, "entry %s holds more than the %,d bytes it may", name, limit));
            }
            long stored = Math.max(1, raw.count() - rawStart);
            if (binary && inflated > (8 << 20) && inflated > MAX_RATIO * stored) {
                throw fail(file, what, String.format(Locale.ROOT, "entry %s inflates %.0f times its stored size: a zip bomb, not trained weights",
                        name, inflated / (double) stored));
            }
            return r;
        }

        byte[] readAll(long limit) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[64 << 10];
            for (int r; (r = read(buf, 0, buf.length, limit, false)) >= 0; ) out.write(buf, 0, r);
            return out.toByteArray();
        }

        void skip(long limit) throws IOException {
            byte[] buf = new byte[64 << 10];
            while (read(buf, 0, buf.length, limit, true) >= 0) { /* counted and hashed */ }
        }

        /**
         * An ND4J binary array (shape buffer, then data buffer, as {@code Nd4j.write} writes them) that must hold
         * exactly {@code expected} values of type {@code type}: checked on the headers before anything is
         * allocated, then read in chunks into one array.
         */
        INDArray readArray(long expected, DataType type) throws IOException {
            long dataBytes = expected * type.width();
            long limit = dataBytes + 4096;
            DataInputStream in = new DataInputStream(new InputStream() {
                private final byte[] one = new byte[1];

                @Override
                public int read() throws IOException {
                    return Entry.this.read(one, 0, 1, limit, true) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return Entry.this.read(b, off, len, limit, true);
                }
            });
            // shape buffer: mode, length, type (LONG), then that many longs: rank, shape, strides, extras, ews, order
            Header shape = header(in);
            if (shape.length < 4 || shape.length > 2 * 32 + 4) throw bad("a shape of " + shape.length + " values");
            long[] info = new long[(int) shape.length];
            boolean ints = switch (shape.type) {
                case "INT" -> true;
                case "LONG" -> false;
                default -> throw bad("a shape of type " + shape.type);
            };
            for (int i = 0; i < info.length; i++) info[i] = ints ? in.readInt() : in.readLong();
            long rank = info[0], product = 1;
            if (rank < 0 || rank > 32 || info.length != 2 * rank + 4) throw bad("a shape of rank " + rank);
            for (int i = 1; i <= rank; i++) {
                if (info[i] < 0) throw bad("a negative dimension");
                product = Math.multiplyExact(product, info[i]);
            }
            Header data = header(in);
            if (data.length != expected || product != expected) {
                throw fail(file, what, String.format(Locale.ROOT, "entry %s declares %,d values; the network has %,d", name,
                        Math.max(data.length, product), expected));
            }
            if (!data.type.equals(type.name())) throw bad("values of type " + data.type + " where the network has " + type);
            // Trained values barely compress, so their bytes cannot much exceed the file's: checked before
            // allocating anything, a small crafted file cannot make us reserve gigabytes.
            long fileBytes = Files.size(file);
            if (dataBytes > 4 * fileBytes + (1 << 20)) {
                throw fail(file, what, String.format(Locale.ROOT, "entry %s declares %,d bytes of values, but the whole file holds %,d",
                        name, dataBytes, fileBytes));
            }
            // Values are big-endian (DataOutputStream); read in chunks, then copy into one native array.
            INDArray out = Nd4j.createUninitialized(type, 1, Math.max(1, expected)).reshape(1, expected);
            ByteBuffer target = out.data().asNio().order(ByteOrder.nativeOrder());
            byte[] chunk = new byte[(int) Math.min(dataBytes, 4 << 20) + 8];
            long done = 0;
            while (done < dataBytes) {
                int n = (int) Math.min(chunk.length - (chunk.length % type.width()), dataBytes - done);
                in.readFully(chunk, 0, n);
                ByteBuffer src = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN);
                switch (type) {
                    case FLOAT -> target.asFloatBuffer().put((int) (done / 4), src.asFloatBuffer(), 0, n / 4);
                    case DOUBLE -> target.asDoubleBuffer().put((int) (done / 8), src.asDoubleBuffer(), 0, n / 8);
                    default -> throw bad("values of type " + type + ", which a network's parameters never are");
                }
                done += n;
            }
            if (in.read() >= 0) throw bad("bytes after its last value");
            return out;
        }

        private record Header(String mode, long length, String type) {}

        private Header header(DataInputStream in) throws IOException {
            String mode = in.readUTF();
            boolean legacy = switch (mode) {
                case "DIRECT", "HEAP", "JAVACPP" -> true;
                case "LONG_SHAPE", "MIXED_DATA_TYPES" -> false;
                default -> throw bad("an unknown array format '" + mode + "'");
            };
            long length = legacy ? in.readInt() : in.readLong();
            String type = in.readUTF();
            if (length < 0) throw bad("a negative length");
            return new Header(mode, length, type);
        }

        private ConfigException bad(String what2) {
            return fail(file, what, "entry " + name + " has " + what2);
        }

        String sha256() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    /** Counts the bytes read from the file itself (what the zip stores), for the compression ratio. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) count += r;
            return r;
        }

        long count() {
            return count;
        }
    }

}
