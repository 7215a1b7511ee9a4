package io.inception4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.archive.ModelArchive;
import io.inception4j.archive.ModelArchiveWriter;
import io.inception4j.config.ConfigException;
import io.inception4j.files.AtomicFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Checkpoints: a DL4J ModelSerializer zip (network, updater state, iteration and epoch counts) with our own
 * entries added: the training state, the resolved model config and the class labels. Written to a temporary
 * file, synced, then renamed, so a crash or Ctrl-C never leaves a half-written checkpoint under its real name;
 * a damaged file is detected on load by its zip structure and the parameters' SHA-256.
 */
public final class Checkpoints {
    static final String STATE = "inception4j/state.json";
    static final String MODEL_YAML = "inception4j/model.yaml";
    static final String LABELS = "inception4j/labels.txt";
    /** The moving average of the parameters (train.ema), in ND4J's binary format; absent without one. */
    static final String EMA = "inception4j/ema.bin";
    /** The entries a checkpoint has beside the network: text, and arrays of one copy of the parameters. */
    public static final Set<String> TEXT_ENTRIES = Set.of(STATE, MODEL_YAML, LABELS), ARRAY_ENTRIES = Set.of(EMA);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /** @param ema the moving average of the parameters to save beside them, or null */
    public static void save(Path file, ComputationGraph graph, TrainingState state, String modelYaml,
                            List<String> labels, INDArray ema) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        TrainingState withSha = state.withChecksums(sha256(graph.params()), ema == null ? null : sha256(ema));
        AtomicFiles.writeDurably(file, out -> { // hours of training: synced, not only renamed
            try (ModelArchiveWriter w = new ModelArchiveWriter(out)) {
                w.network(graph, true)
                        .text(STATE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(withSha))
                        .text(MODEL_YAML, modelYaml)
                        .text(LABELS, String.join("\n", labels) + "\n");
                if (ema != null) w.array(EMA, ema);
            }
        });
    }

    /** Reads a checkpoint in bounded time and memory ({@link ModelArchive}); a damaged one is one clear error. */
    public static Checkpoint load(Path file, boolean withUpdater) {
        return of(file, ModelArchive.read(file, "checkpoint", withUpdater, TEXT_ENTRIES, ARRAY_ENTRIES));
    }

    /** The checkpoint {@code file} holds, from its contents as read (and bounded) by {@link ModelArchive}; verified here. */
    public static Checkpoint of(Path file, ModelArchive.Contents c) {
        for (String entry : List.of(STATE, MODEL_YAML, LABELS)) {
            if (!c.texts().containsKey(entry)) throw new ConfigException(file + ": not an inception4j checkpoint (no " + entry + ")");
        }
        TrainingState state;
        try {
            state = JSON.readValue(c.texts().get(STATE), TrainingState.class);
        } catch (IOException e) {
            throw new ConfigException(file + ": checkpoint state is corrupt (" + e.getMessage() + ")");
        }
        String yaml = new String(c.texts().get(MODEL_YAML), StandardCharsets.UTF_8);
        List<String> labels = new String(c.texts().get(LABELS), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        ComputationGraph graph = c.graph();
        String sha = sha256(graph.params());
        if (state.paramsSha256() != null && !state.paramsSha256().equals(sha)) {
            throw new ConfigException(file + ": checkpoint is corrupt: parameter checksum " + sha
                    + " does not match the saved " + state.paramsSha256());
        }
        INDArray ema = c.arrays().get(EMA);
        if (ema != null && state.emaSha256() != null && !state.emaSha256().equals(sha256(ema))) {
            throw new ConfigException(file + ": checkpoint is corrupt: its parameter average does not match the saved checksum");
        }
        return new Checkpoint(graph, state, yaml, labels, file, ema);
    }

    /** Checkpoint files in {@code dir}, oldest first (by the epoch and batch in their names). */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("epoch-\\d+(-batch-\\d+)?\\.zip"))
                    .sorted(Comparator.comparing(Checkpoints::order)).toList();
        }
    }

    /** "epoch-0012.zip" after a completed epoch 12, "epoch-0012-batch-0007.zip" 7 batches into epoch 13. */
    static String name(TrainingState s) {
        return s.batch() == 0 ? String.format("epoch-%04d.zip", s.epoch())
                : String.format("epoch-%04d-batch-%04d.zip", s.epoch(), s.batch());
    }

    private static long order(Path p) {
        String[] parts = p.getFileName().toString().replace(".zip", "").split("-");
        long epoch = Long.parseLong(parts[1]);
        long batch = parts.length > 3 ? Long.parseLong(parts[3]) : 0;
        return epoch * 1_000_000 + batch;
    }

    /** Deletes all but the newest {@code keep} checkpoints (best.zip is a separate file and stays). */
    public static void prune(Path dir, int keep) throws IOException {
        List<Path> all = new ArrayList<>(list(dir));
        for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
    }

    private static void put(ZipOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    static String sha256(INDArray params) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            float[] v = params.dup().data().asFloat();
            ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            md.update(buf.array());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
