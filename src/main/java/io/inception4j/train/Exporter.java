package io.inception4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.config.BoundedText;
import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import io.inception4j.config.Experiment;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Preprocessing;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.inference.Bundle;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/**
 * Turns a training checkpoint into an inference bundle: the network rebuilt from its own model config with
 * the auxiliary heads left out (one output, nothing computed for nothing), every remaining layer's
 * parameters copied by name, plus labels, preprocessing, configs and provenance.
 */
public final class Exporter {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_EMBEDDED_SPLIT_BYTES = 4L << 20;

    /** Our runs' provenance.json and test-metrics.json take a few kilobytes at most. */
    static final long MAX_RECORD_BYTES = 1L << 20;

    private Exporter() {}

    /** A JSON file of the run, copied into the bundle for the record (if there is one): bounded; damage is one line. */
    private static void putRecord(ObjectNode info, String key, Path file) {
        if (!Files.exists(file)) return;
        try {
            info.set(key, JSON.readTree(BoundedText.read(file, "a run's record", MAX_RECORD_BYTES)));
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr()) + ": not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /**
     * @param target a run directory or a checkpoint inside one
     * @param which  "best", "last", or an epoch number (when target is a run directory)
     */
    public static Bundle export(Path target, String which, Path out) throws IOException {
        Bundle bundle = bundle(target, which);
        bundle.write(out);
        return bundle;
    }

    /** The bundle {@link #export} writes, in memory only (for another format: ONNX). */
    public static Bundle bundle(Path target, String which) throws IOException {
        Path checkpoint = Files.isDirectory(target) ? choose(target, which) : target;
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        if (!Files.exists(runDir.resolve("data.yaml"))) {
            throw new ConfigException(target + ": not a run directory or a checkpoint inside one (no data.yaml beside it)");
        }
        Checkpoint ckpt = Checkpoints.load(checkpoint, false);
        Experiment exp = Experiment.fromResolved(runDir.getFileName().toString(), runDir, Overrides.none());
        ComputationGraph network = withoutAuxHeads(ckpt);
        ModelConfig m = exp.model().config();
        DataConfig d = exp.data().config();

        ObjectNode info = JSON.createObjectNode();
        info.put("model", m.name());
        info.put("run", runDir.getFileName().toString());
        info.put("checkpoint", checkpoint.getFileName().toString());
        info.put("epochs_trained", ckpt.state().epoch());
        info.put("best_val_top1", ckpt.state().bestTop1());
        info.put("exported", OffsetDateTime.now().toString());
        info.put("exported_by", Provenance.codeVersion());
        putRecord(info, "provenance", runDir.resolve("provenance.json"));
        putRecord(info, "test", runDir.resolve("test-metrics.json"));
        Path testSplit = runDir.resolve("splits/test.txt");
        if (Files.exists(testSplit)) {
            // For the record only. A bundle's text entries may hold 16 MB (ModelArchive), so a split larger than
            // a quarter of that (ImageNet's 50,000 validation paths, at some 80 bytes each, would take about 4 MB) is named, not embedded:
            // an export must never write a bundle that predict then refuses.
            long bytes = Files.size(testSplit);
            if (bytes <= MAX_EMBEDDED_SPLIT_BYTES) info.put("test_split", Files.readString(testSplit));
            else info.put("test_split_omitted", String.format(Locale.ROOT, "the run's splits/test.txt (%,d bytes) is too large to embed", bytes));
        }

        Bundle bundle = new Bundle(network, ckpt.labels(), new Preprocessing(m.height(), m.widthPx(), d.resizeRatio()), info,
                Experiment.toYaml(exp.model().doc().root()), Experiment.toYaml(exp.data().doc().root()));
        return bundle;
    }

    private static Path choose(Path runDir, String which) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        List<Path> all = Checkpoints.list(dir);
        if (which == null || which.equals("best")) {
            Path best = dir.resolve("best.zip");
            if (!Files.exists(best)) throw new ConfigException(runDir + ": no best checkpoint yet (checkpoints/best.zip)");
            return best;
        }
        if (which.equals("last")) {
            if (all.isEmpty()) throw new ConfigException(runDir + ": no checkpoints");
            return all.get(all.size() - 1);
        }
        if (!which.matches("\\d+")) throw new ConfigException("--checkpoint " + which + ": expected best, last or an epoch number");
        Path f = dir.resolve(String.format("epoch-%04d.zip", Integer.parseInt(which)));
        if (!Files.exists(f)) {
            throw new ConfigException("--checkpoint " + which + ": no checkpoint of epoch " + which + " in " + dir + "; kept: "
                    + all.stream().map(p -> p.getFileName().toString()).toList());
        }
        return f;
    }

    /**
     * The checkpoint's network rebuilt without aux heads, parameters copied layer by layer (the moving
     * average of the parameters when the run kept one, as the Inception papers evaluate).
     */
    static ComputationGraph withoutAuxHeads(Checkpoint ckpt) {
        ComputationGraph trained = ckpt.evaluationGraph();
        var loaded = ModelConfig.parse("model.yaml in " + ckpt.file(), ckpt.modelYaml(), Overrides.parse(List.of("model.aux=false")));
        Blueprint bp = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults());
        ComputationGraph lean = bp.create();
        for (Layer layer : lean.getLayers()) {
            String name = layer.getConfig().getLayerName();
            Layer source = trained.getLayer(name);
            if (source == null || source.numParams() != layer.numParams()) {
                throw new IllegalStateException("checkpoint and model config disagree at layer " + name);
            }
            if (layer.numParams() > 0) layer.setParams(source.params().dup());
        }
        return lean;
    }
}
