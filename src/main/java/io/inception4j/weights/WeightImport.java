package io.inception4j.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.config.BlockSpec;
import io.inception4j.config.BoundedText;
import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.Loaded;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Preprocessing;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.inference.Bundle;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A weights file imported into one of our models through its table: the tensors read ({@link TorchCheckpoint}
 * or {@link SafeTensors}, told apart by their first bytes), the model config loaded with the table's
 * overrides and the user's, the graph built and filled ({@link Importer}), and the result as an inference
 * bundle that {@code predict}, {@code evaluate} and {@code train --init} take.
 */
public final class WeightImport {
    private WeightImport() {}

    /** The filled graph (aux heads included when the model has them), what it was built from, and the file's SHA-256. */
    public record Imported(ComputationGraph graph, Loaded<ModelConfig> model, WeightMap map, Path mapFile,
                           Importer.Report report, Path source, String sha256) {}

    /** Reads a checkpoint's tensors: a PyTorch zip or a safetensors file. */
    public static Map<String, Tensor> read(Path file) {
        byte[] head = new byte[9];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n >= 2 && head[0] == 'P' && head[1] == 'K') return TorchCheckpoint.read(file);
            if (n == 9 && head[8] == '{') return SafeTensors.read(file);
            throw new ConfigException(file + ": neither a PyTorch checkpoint (a zip, as torch.save writes since 1.6) nor a safetensors file");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Imports {@code weights} through the table {@code mapFile}; {@code extra} are the user's model.* overrides. */
    public static Imported load(Path weights, Path mapFile, Overrides extra) {
        WeightMap map = WeightMap.load(mapFile);
        Path modelFile = mapFile.toAbsolutePath().getParent().resolve(map.model()).normalize();
        List<String> sets = new ArrayList<>(map.overrides());
        extra.all().forEach(o -> sets.add(o.text()));
        Loaded<ModelConfig> model = ModelConfig.load(modelFile, Overrides.parse(sets));
        ComputationGraph graph = GraphFactory.standard().blueprint(model, GraphOptions.defaults()).create();
        Map<String, Tensor> tensors = read(weights);
        WeightMap effective = model.config().aux() ? map : map.withoutRowsUnder(auxHeads(model.config()));
        Importer.Report report = Importer.apply(effective, tensors, graph, weights);
        return new Imported(graph, model, map, mapFile, report, weights, sha256(weights));
    }

    /** The ids of the model's auxiliary heads (their vertices are {@code <id>/...}). */
    static List<String> auxHeads(ModelConfig m) {
        return m.blocks().stream().filter(b -> "aux_head".equals(b.type())).map(BlockSpec::id).toList();
    }

    /** The imported network as an inference bundle: no aux heads, the given labels, our evaluation preprocessing. */
    public static Bundle bundle(Imported in, List<String> labels) throws IOException {
        ModelConfig m = in.model().config();
        if (labels.size() != m.classes()) {
            throw new ConfigException(labels.size() + " labels for a model with " + m.classes() + " classes");
        }
        ObjectNode modelRoot = in.model().doc().root().deepCopy();
        modelRoot.put("aux", false);
        String modelYaml = Experiment.toYaml(modelRoot);
        var lean = GraphFactory.standard().blueprint(ModelConfig.parse("imported model", modelYaml, Overrides.none()), GraphOptions.defaults()).create();
        for (Layer layer : lean.getLayers()) {
            if (layer.numParams() > 0) layer.setParams(in.graph().getLayer(layer.getConfig().getLayerName()).params().dup());
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode info = json.createObjectNode();
        info.put("model", m.name());
        info.put("imported_from", in.source().getFileName().toString());
        info.put("weights_sha256", in.sha256());
        info.put("weights_source", in.map().source());
        info.put("weights_table", in.mapFile().getFileName().toString());
        info.put("exported", OffsetDateTime.now().toString());
        String dataYaml = "# imported weights: no dataset\nname: imported\nresize_ratio: " + RESIZE_RATIO + "\n";
        return new Bundle(lean, List.copyOf(labels), new Preprocessing(m.height(), m.widthPx(), RESIZE_RATIO), info, modelYaml, dataYaml);
    }

    /** torchvision's evaluation resize: 256 for a 224 crop (342 for 299). */
    static final double RESIZE_RATIO = 256.0 / 224.0;

    /** ImageNet-21k's 21,843 names, at some 40 bytes each, would take about 1 MB. */
    private static final long MAX_LABELS_BYTES = 16L << 20;

    /** Labels from a file (one per line), or "class 0", "class 1", ... */
    public static List<String> labels(Path file, int classes) throws IOException {
        if (file == null) return Stream.iterate(0, i -> i + 1).limit(classes).map(i -> "class " + i).toList();
        List<String> lines = BoundedText.lines(file, "a label list (--labels)", MAX_LABELS_BYTES).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (lines.size() != classes) throw new ConfigException(file + ": " + lines.size() + " labels, but the model has " + classes + " classes");
        return lines;
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
