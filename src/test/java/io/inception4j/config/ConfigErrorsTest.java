package io.inception4j.config;

import io.inception4j.Cli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Golden tests: each bad config under src/test/resources/errors/ gets exactly the message in its
 * {@code .expected} file (file:line:col, key, what was expected), exit code 2, and no stack trace.
 */
class ConfigErrorsTest {
    static final Path DIR = Path.of("src/test/resources/errors");

    static Stream<String> badConfigs() throws IOException {
        try (var files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badConfigGetsItsGoldenMessage(String name) throws IOException {
        Path yaml = DIR.resolve(name);
        String expected = Files.readString(DIR.resolve(name.replace(".yaml", ".expected")));
        Cli r = Cli.run("summary", yaml.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(expected, r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "model.clases=17|error: --set model.clases=17: clases: unknown key 'clases' (did you mean 'classes'?); valid keys: aux, aux_weight, blocks, classes, defaults, description, input, layout, name, reference, templates, width",
            "model.classes=many|error: --set model.classes=many: classes: expected a whole number, got the text 'many'",
            "model.blocks.inception_3c.pool_proj=64|error: --set model.blocks.inception_3c.pool_proj=64: no element with id 'inception_3c' (did you mean 'inception_3a'?)",
            "train.lr=0.1|error: --set train.lr=0.1: 'summary' takes overrides of model.* only",
            "model.input=[32,32,3]|error: configs/models/inception-v1.yaml:51:39: blocks[21](loss1).blocks[0](ave_pool).size: cannot pool a 2x2 input to 4x4 (the input must be at least 4x4); the input 32x32 is too small for inception-v1: the smallest input that works is 49x49 (1x1 without the auxiliary heads: --set model.aux=false)",
            "model.input=[0,224,3]|error: --set model.input=[0,224,3]: input: expected [height, width, channels] with positive whole numbers, got [0, 224, 3]",
            "classes|error: --set classes: expected key=value, e.g. --set model.classes=17"})
    void badOverrideGetsAPreciseMessage(String caseText) {
        String[] parts = caseText.split("\\|", 2);
        Cli r = Cli.run("summary", "configs/models/inception-v1.yaml", "--set", parts[0]);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(parts[1], r.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "train.distributed.mode=ring|distributed.mode|parameter_averaging, shared_gradients",
            "train.distributed.averaging_frequency=0|averaging_frequency|expected at least 1 batch, got 0",
            "train.distributed.port=80|port|expected a UDP port from 1024 to 65535, got 80",
            "train.distributed.threshold=2.0|threshold|expected 0 < threshold < 1",
            "train.distributed.workers=-1|workers|expected at least 1, got -1",
            "train.distributed.averaging=5|unknown key 'averaging'|averaging_frequency"})
    void badDistributedSettingsAreNamed(String caseText) {
        String[] parts = caseText.split("\\|");
        Cli r = Cli.run("train", "--print-config", "--set", parts[0]);
        assertEquals(2, r.exitCode(), r.err());
        for (int i = 1; i < parts.length; i++) {
            org.junit.jupiter.api.Assertions.assertTrue(r.err().contains(parts[i]), r.err());
        }
    }

    @org.junit.jupiter.api.Test
    void aHugeFileIsRefusedBeforeItIsRead(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path huge = tmp.resolve("huge.yaml");
        try (var f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(YamlDocument.MAX_BYTES + 1);   // sparse: no disk or memory spent
        }
        Cli r = Cli.run("summary", huge.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("error: " + huge + ": 4,194,305 bytes is too large for a config (the limit is 4,194,304 bytes)", r.err().strip());
    }
}
