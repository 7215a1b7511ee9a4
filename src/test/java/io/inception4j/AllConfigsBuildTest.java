package io.inception4j;

import io.inception4j.graph.Blueprint;
import io.inception4j.graph.ModelSummary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Everything shipped is tested like code: every model and example config loads and builds. */
class AllConfigsBuildTest {
    static Stream<String> modelConfigs() throws IOException {
        try (var files = Stream.concat(Files.walk(Path.of("configs/models")), Files.walk(Path.of("configs/examples")))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("modelConfigs")
    void buildsAndSummarises(String file) {
        Blueprint bp = Models.blueprint(file);
        ModelSummary s = ModelSummary.of(bp, bp.create());
        assertTrue(s.totalParams() > 0);
        assertTrue(s.render().contains("parameters:"));
    }
}
