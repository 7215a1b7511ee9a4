package io.inception4j.archive;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.inception4j.config.ConfigException;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.ImageDecoder;
import io.inception4j.inference.Bundle;
import io.inception4j.onnx.OnnxModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Fuzz targets for what strangers hand us: model configs, bundles and checkpoints, ONNX models, images. The rule each
 * enforces: any input ends in a value or in one clear error (ConfigException, or ImageException for images:
 * what the command line turns into a one-line message and exit code 2); never another exception, never an
 * OutOfMemoryError, never a hang. A normal test run replays the committed seed corpus in
 * src/test/resources/io/inception4j/archive/FuzzTargetsTestInputs/ (seconds); to fuzz for longer:
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=FuzzTargetsTest#bundles} (and stop it when satisfied).
 */
class FuzzTargetsTest {

    @FuzzTest(maxDuration = "60s")
    void modelConfigs(byte[] data) {
        try {
            ModelConfig.parse("fuzz.yaml", new String(data, StandardCharsets.UTF_8), Overrides.none());
        } catch (ConfigException expected) {
            // a clear error: fine
        }
    }

    @FuzzTest(maxDuration = "60s")
    void bundles(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz-", ".bundle");
        try {
            Files.write(f, data);
            Bundle.read(f);
        } catch (ConfigException expected) {
            // a clear error: fine
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void checkpoints(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz-", ".zip");
        try {
            Files.write(f, data);
            ModelArchive.read(f, "checkpoint", true, Set.of("inception4j/"), Set.of("inception4j/ema.bin"));
        } catch (ConfigException expected) {
            // a clear error: fine
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** What predict does with a .onnx file: bounded, parsed and checked in Java before ONNX Runtime sees it. */
    @FuzzTest(maxDuration = "60s")
    void onnxModels(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz-", ".onnx");
        try {
            Files.write(f, data);
            OnnxModel.open(f).close();
        } catch (ConfigException expected) {
            // a clear error: fine
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void images(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz-", ".img");
        try {
            Files.write(f, data);
            ImageDecoder.decode(f, 64, 4_000_000, true);
        } catch (ImageDecoder.ImageException expected) {
            // a clear error: fine
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
