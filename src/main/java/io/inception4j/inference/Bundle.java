package io.inception4j.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.archive.ModelArchive;
import io.inception4j.archive.ModelArchiveWriter;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Preprocessing;
import io.inception4j.files.AtomicFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inference bundle: one zip file that DL4J's ModelSerializer can read (the network, single output, no
 * updater state) plus {@code inception4j/bundle.json} (format version, labels, preprocessing, provenance),
 * {@code inception4j/model.yaml} and {@code inception4j/data.yaml} (the resolved configs), and
 * {@code inception4j/checksums.json} (SHA-256 of every other entry, checked on load).
 */
public record Bundle(ComputationGraph network, List<String> labels, Preprocessing preprocessing, ObjectNode info,
                     String modelYaml, String dataYaml) {

    /** Bumped when the layout changes incompatibly; readers refuse newer formats. */
    public static final int FORMAT_VERSION = 1;
    static final String INFO = "inception4j/bundle.json";
    static final String MODEL = "inception4j/model.yaml";
    static final String DATA = "inception4j/data.yaml";
    static final String CHECKSUMS = "inception4j/checksums.json";
    /** The text entries a bundle has beside the network. */
    public static final Set<String> ENTRIES = Set.of(INFO, MODEL, DATA, CHECKSUMS);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the bundle atomically (temporary file, then rename). */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, out -> {
            ObjectNode meta = info.deepCopy();
            meta.put("format_version", FORMAT_VERSION);
            meta.set("labels", JSON.valueToTree(labels));
            ObjectNode pre = meta.putObject("preprocessing");
            pre.put("height", preprocessing.height()).put("width", preprocessing.width())
                    .put("resize_ratio", preprocessing.resizeRatio()).put("crop", "centre")
                    .put("channel_order", "bgr").put("scale", "x / 127.5 - 1");
            try (ModelArchiveWriter w = new ModelArchiveWriter(out)) {
                w.network(network, false)
                        .bytes(INFO, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta))
                        .text(MODEL, modelYaml)
                        .text(DATA, dataYaml);
                ObjectNode sums = JSON.createObjectNode();
                w.sha256().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sums.put(e.getKey(), e.getValue()));
                w.bytes(CHECKSUMS, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(sums));
            }
        });
    }

    /**
     * Reads and verifies a bundle in bounded time and memory ({@link ModelArchive}); a damaged, foreign or
     * newer-format file is a clear error.
     */
    public static Bundle read(Path file) {
        return of(file, ModelArchive.read(file, "bundle", false, ENTRIES, Set.of()));
    }

    /** Whether {@code c} is a bundle's contents (it has the bundle's own metadata entry). */
    public static boolean holds(ModelArchive.Contents c) {
        return c.texts().containsKey(INFO);
    }

    /** The bundle {@code file} holds, from its contents as read (and bounded) by {@link ModelArchive}; verified here. */
    public static Bundle of(Path file, ModelArchive.Contents c) {
        Map<String, byte[]> entries = c.texts();
        if (!entries.containsKey(INFO) || !entries.containsKey(CHECKSUMS)) {
            throw new ConfigException(file + ": not an inception4j bundle (no " + INFO + "); export one with 'inception4j export'");
        }
        JsonNode info, sums;
        try {
            info = JSON.readTree(entries.get(INFO));
            sums = JSON.readTree(entries.get(CHECKSUMS));
        } catch (IOException e) {
            throw new ConfigException(file + ": bundle metadata is corrupt (" + e.getMessage() + ")");
        }
        int version = info.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new ConfigException(file + ": bundle format " + version + " is not supported by this inception4j (it reads format "
                    + FORMAT_VERSION + "); re-export it with this version");
        }
        List<String> bad = new ArrayList<>();
        for (var it = sums.fields(); it.hasNext(); ) {
            var e = it.next();
            String actual = c.sha256().get(e.getKey());
            if (actual == null || !actual.equals(e.getValue().asText())) bad.add(e.getKey());
        }
        if (!bad.isEmpty()) throw new ConfigException(file + ": checksum mismatch in " + bad + ": the bundle is corrupt");
        List<String> labels = new ArrayList<>();
        info.path("labels").forEach(l -> labels.add(l.asText()));
        JsonNode pre = info.path("preprocessing");
        if (labels.isEmpty() || pre.path("height").asInt() < 1 || pre.path("width").asInt() < 1) {
            throw new ConfigException(file + ": bundle metadata lacks its labels or input size");
        }
        return new Bundle(c.graph(), List.copyOf(labels),
                new Preprocessing(pre.path("height").asInt(), pre.path("width").asInt(), pre.path("resize_ratio").asDouble()),
                (ObjectNode) info, new String(entries.getOrDefault(MODEL, new byte[0]), StandardCharsets.UTF_8),
                new String(entries.getOrDefault(DATA, new byte[0]), StandardCharsets.UTF_8));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
