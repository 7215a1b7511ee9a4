package io.inception4j;

import io.inception4j.config.Binder;
import io.inception4j.config.DataConfig;
import io.inception4j.config.Experiment;
import io.inception4j.config.Overrides;
import io.inception4j.config.TrainConfig;
import io.inception4j.config.YamlDocument;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.graph.ModelSummary;
import io.inception4j.sweep.Sweep;
import io.inception4j.weights.KnownCheckpoints;
import io.inception4j.weights.WeightMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Everything shipped is tested like code: every file under configs/ loads, and every network builds. */
class AllConfigsBuildTest {
    static Stream<String> files(String dir) throws IOException {
        try (var files = Files.walk(Path.of("configs", dir))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted().toList().stream();
        }
    }

    static Stream<String> modelConfigs() throws IOException {
        return Stream.concat(files("models"), files("examples"));
    }

    @ParameterizedTest
    @MethodSource("modelConfigs")
    void buildsAndSummarises(String file) {
        Blueprint bp = Models.blueprint(file);
        ModelSummary s = ModelSummary.of(bp, bp.create());
        assertTrue(s.totalParams() > 0);
        assertTrue(s.render().contains("parameters:"));
    }

    static Stream<String> experiments() throws IOException {
        return files("experiments");
    }

    @ParameterizedTest
    @MethodSource("experiments")
    void experimentsLoadAndTheirModelsBuild(String file) {
        Experiment e = Experiment.load(Path.of(file), Overrides.none());
        Blueprint bp = GraphFactory.standard().blueprint(e.model(), GraphOptions.defaults());
        assertTrue(bp.classifier(), "an experiment's model has a classifier to train");
    }

    static Stream<String> dataConfigs() throws IOException {
        return files("data");
    }

    @ParameterizedTest
    @MethodSource("dataConfigs")
    void dataConfigsBind(String file) {
        assertTrue(Binder.bind(YamlDocument.load(Path.of(file)), DataConfig.class).name().length() > 0);
    }

    static Stream<String> trainConfigs() throws IOException {
        return files("train");
    }

    @ParameterizedTest
    @MethodSource("trainConfigs")
    void trainConfigsBind(String file) {
        assertTrue(Binder.bind(YamlDocument.load(Path.of(file)), TrainConfig.class).epochs() > 0);
    }

    static Stream<String> sweeps() throws IOException {
        return files("sweeps");
    }

    @ParameterizedTest
    @MethodSource("sweeps")
    void sweepsCheckAgainstTheirExperiments(String file) {
        assertTrue(Sweep.check(Path.of(file), Overrides.none()).space().size() > 0);
    }

    static Stream<String> weightTables() throws IOException {
        return files("weights").filter(f -> !f.endsWith("known.yaml"));
    }

    /** Each table loads and names an existing model config; the conformance script checks the mapping itself. */
    @ParameterizedTest
    @MethodSource("weightTables")
    void weightTablesLoad(String file) {
        WeightMap table = WeightMap.load(Path.of(file));
        assertFalse(table.modules().isEmpty(), file);
        assertTrue(Files.isRegularFile(Path.of(file).resolveSibling(table.model())), table.model());
    }

    @Test
    void knownCheckpointsPointAtTablesAndLabelsThatExist() {
        Path list = Path.of("configs/weights/known.yaml");
        KnownCheckpoints known = KnownCheckpoints.load(list);
        for (String name : java.util.List.of("torchvision-googlenet", "torchvision-inception-v3")) {
            KnownCheckpoints.Entry e = known.get(name);
            assertTrue(Files.isRegularFile(known.mapFile(e)), name);
            assertTrue(Files.isRegularFile(list.resolveSibling(e.labels())), name);
            assertTrue(e.url().startsWith("https://"), name);
        }
    }

    @Test
    void everyConfigFolderIsCovered() throws IOException {
        try (var dirs = Files.list(Path.of("configs"))) {
            assertEquals(java.util.List.of("data", "examples", "experiments", "models", "sweeps", "train", "weights"),
                    dirs.map(d -> d.getFileName().toString()).sorted().toList());
        }
    }
}
