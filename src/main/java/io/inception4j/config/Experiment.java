package io.inception4j.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment: a model, a dataset and a training recipe, each a config file of its own, plus overrides.
 * Precedence: the three files, then the experiment's {@code set:} list, then {@code --set} on the command line.
 */
public record Experiment(String name, Loaded<ModelConfig> model, Loaded<DataConfig> data, Loaded<TrainConfig> train) {

    /** The experiment file itself. */
    record File(@JsonProperty(required = true) String name, @JsonProperty(required = true) String model,
                @JsonProperty(required = true) String data, @JsonProperty(required = true) String train,
                List<String> set) {}

    public static Experiment load(Path file, Overrides cli) {
        YamlDocument doc = YamlDocument.load(file);
        File f = Binder.bind(doc, File.class);
        Path dir = file.toAbsolutePath().getParent();
        List<String> sets = new ArrayList<>(f.set() == null ? List.of() : f.set());
        sets.addAll(cli.all().stream().map(Overrides.Override::text).toList());
        Overrides all = Overrides.parse(sets);
        all.requireNamespaces("train", List.of("model", "data", "train"));
        return new Experiment(f.name(),
                ModelConfig.load(dir.resolve(f.model()), all),
                load(dir.resolve(f.data()), all, "data", DataConfig.class),
                load(dir.resolve(f.train()), all, "train", TrainConfig.class));
    }

    /** Loads a run's saved resolved configs (model.yaml, data.yaml, train.yaml) with further overrides. */
    public static Experiment fromResolved(String name, Path dir, Overrides more) {
        return new Experiment(name, ModelConfig.load(dir.resolve("model.yaml"), more),
                load(dir.resolve("data.yaml"), more, "data", DataConfig.class),
                load(dir.resolve("train.yaml"), more, "train", TrainConfig.class));
    }

    private static <T> Loaded<T> load(Path path, Overrides o, String ns, Class<T> type) {
        YamlDocument doc = YamlDocument.load(path);
        o.applyTo(doc, ns);
        return new Loaded<>(doc, Binder.bind(doc, type));
    }

    /** Writes the fully resolved configs (after every override) as model.yaml, data.yaml, train.yaml. */
    public void writeResolved(Path dir) {
        write(model.doc().root(), dir.resolve("model.yaml"));
        write(data.doc().root(), dir.resolve("data.yaml"));
        write(train.doc().root(), dir.resolve("train.yaml"));
    }

    /** The resolved configs as one YAML text (for printing). */
    public String resolvedYaml() {
        ObjectNode all = YAML_WRITER.createObjectNode();
        all.set("model", model.doc().root());
        all.set("data", data.doc().root());
        all.set("train", train.doc().root());
        try {
            return YAML_WRITER.writeValueAsString(all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final ObjectMapper YAML_WRITER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());

    /** YAML text of a config tree, e.g. to carry a model config inside a checkpoint. */
    public static String toYaml(ObjectNode root) {
        try {
            return YAML_WRITER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(ObjectNode root, Path file) {
        try {
            AtomicFiles.writeString(file, toYaml(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
