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
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
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

    /**
     * {@code TinyBundle FILE MODEL SIZE WIDTH CLASSES}: an untrained bundle for scripts/bench-serve (a network's
     * speed does not depend on its weights), labels class_00, class_01, ...
     */
    public static void main(String[] args) throws IOException {
        List<String> labels = java.util.stream.IntStream.range(0, Integer.parseInt(args[4])).mapToObj(i -> String.format("class_%02d", i)).toList();
        write(Path.of(args[0]), args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]), labels);
        System.exit(0);
    }

    /** A 17-flowers photo (1 to 1360). */
    public static Path flower(int n) {
        return FLOWERS.resolve("jpg").resolve(String.format("image_%04d.jpg", n));
    }
}
