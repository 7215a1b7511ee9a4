package io.inception4j.weights;

import io.inception4j.archive.ModelArchive;
import io.inception4j.config.ConfigException;
import io.inception4j.inference.Bundle;
import io.inception4j.train.Checkpoints;
import io.inception4j.train.Trainer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code train --init FILE}: a new run starts from the weights in an inference bundle (e.g. one written by
 * {@code import}) or a training checkpoint. Layers are matched by name; a classifier whose class count differs
 * (ImageNet's 1000 against the new dataset's) keeps its fresh initialisation, as do layers the file does not
 * have (e.g. aux heads, which bundles leave out). Any other difference in shape is an error: it means the file
 * was made for another model.
 */
public final class PretrainedWeights implements Trainer.InitialWeights {
    private final Path file;
    private final ComputationGraph source;

    private PretrainedWeights(Path file, ComputationGraph source) {
        this.file = file;
        this.source = source;
    }

    /** Reads a bundle or a checkpoint, told apart by their entries, in one bounded pass. */
    public static PretrainedWeights from(Path file) {
        Set<String> texts = new HashSet<>(Bundle.ENTRIES);
        texts.addAll(Checkpoints.TEXT_ENTRIES);
        ModelArchive.Contents c = ModelArchive.read(file, "bundle or checkpoint", false, texts, Checkpoints.ARRAY_ENTRIES);
        ComputationGraph g = Bundle.holds(c) ? Bundle.of(file, c).network() : Checkpoints.of(file, c).evaluationGraph();
        return new PretrainedWeights(file, g);
    }

    @Override
    public String fill(ComputationGraph fresh) {
        List<String> copied = new ArrayList<>(), reset = new ArrayList<>(), absent = new ArrayList<>(), mismatched = new ArrayList<>();
        long values = 0;
        for (Layer layer : fresh.getLayers()) {
            if (layer.numParams() == 0) continue;
            String name = layer.getConfig().getLayerName();
            Layer from = source.getVertex(name) != null && source.getVertex(name).hasLayer() ? source.getLayer(name) : null;
            if (from == null) {
                absent.add(name);
            } else if (!sameShapes(layer, from)) {
                if (layer.getConfig() instanceof BaseOutputLayer) reset.add(name);
                else mismatched.add(name + " " + shapes(from) + " in the file, " + shapes(layer) + " here");
            } else {
                layer.setParams(from.params().dup());
                copied.add(name);
                values += layer.numParams();
            }
        }
        if (!mismatched.isEmpty()) {
            throw new ConfigException(file + ": made for another model: " + String.join("; ", mismatched.subList(0, Math.min(5, mismatched.size())))
                    + (mismatched.size() > 5 ? " and " + (mismatched.size() - 5) + " more" : ""));
        }
        if (copied.isEmpty()) throw new ConfigException(file + ": no layer of this model is in it (made for another model?)");
        return String.format(java.util.Locale.ROOT, "%s: %d layers (%,d values) copied; classifiers re-initialised for the new classes: %s; "
                + "not in the file, so initialised afresh: %s", file.getFileName(), copied.size(), values,
                reset.isEmpty() ? "none" : reset, absent.isEmpty() ? "none" : absent);
    }

    private static boolean sameShapes(Layer a, Layer b) {
        if (!a.paramTable().keySet().equals(b.paramTable().keySet())) return false;
        for (var e : a.paramTable().entrySet()) if (!Arrays.equals(e.getValue().shape(), b.paramTable().get(e.getKey()).shape())) return false;
        return true;
    }

    private static String shapes(Layer l) {
        StringBuilder sb = new StringBuilder();
        l.paramTable().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(Arrays.toString(v.shape())));
        return "{" + sb + "}";
    }
}
