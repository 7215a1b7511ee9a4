package io.inception4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Preprocessing;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.inference.Bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A bundle in a second, without training: GoogLeNet at an eighth of its width, without aux heads, on 64 px
 * inputs, as initialised. Its answers mean nothing, but they are the same through every path that computes
 * them, which is what the server's tests compare.
 */
public final class TinyBundle {
    public static final Path FLOWERS = Path.of(System.getenv().getOrDefault("INCEPTION4J_FLOWERS17", "../shared/datasets/flowers17"));
    public static final List<String> LABELS = List.of("daffodil", "snowdrop", "lilyvalley");

    private TinyBundle() {}

    /** Writes the bundle to {@code file} for {@code size} px inputs of {@code configs/models/<model>.yaml}. */
    public static Path write(Path file, String model, int size, double width, List<String> labels) throws IOException {
        var loaded = ModelConfig.load(Path.of("configs/models/" + model + ".yaml"), Overrides.parse(List.of(
                "model.classes=" + labels.size(), "model.input=[" + size + "," + size + ",3]", "model.width=" + width, "model.aux=false")));
        var network = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults()).create();
        var info = new ObjectMapper().createObjectNode().put("model", model).put("note", "untrained, for tests and benchmarks");
        new Bundle(network, labels, new Preprocessing(size, size, 1.14), info, "", "").write(file);
        return file;
    }

    public static Path write(Path file) throws IOException {
        return write(file, "inception-v1", 64, 0.125, LABELS);
    }

    /** A 17-flowers photo (1 to 1360). */
    public static Path flower(int n) {
        return FLOWERS.resolve("jpg").resolve(String.format("image_%04d.jpg", n));
    }
}
