package io.inception4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Benchmarks are commands, not timed tests: this only checks that bench runs and writes sound JSON. */
class BenchCommandTest {
    @Test
    void benchWritesWellFormedJsonWithPositiveFigures(@TempDir Path tmp) throws Exception {
        String flowers = System.getenv().getOrDefault("INCEPTION4J_FLOWERS17", "../shared/datasets/flowers17");
        Cli r = Cli.run("bench", "configs/models/inception-v1.yaml", "--set", "model.input=[64,64,3]", "--set", "model.width=0.125",
                "--set", "model.classes=17", "--batch", "4", "--warmup", "1", "--iterations", "2", "--data", flowers, "--images", "64",
                "--out", tmp.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("train images/s"), r.out());
        Path json;
        try (var files = Files.list(tmp)) {
            json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("inception-v1", j.get("model").asText());
        for (String k : new String[] {"train_images_per_s", "inference_images_per_s"}) {
            assertTrue(j.get(k).get("median").asDouble() > 0, k);
            assertEquals(2, j.get(k).get("iterations").asInt());
        }
        assertTrue(j.get("train_gflops").asDouble() > 0);
        assertTrue(j.get("cpu_peak_gflops").asDouble() > 0);
        assertTrue(j.get("peak_rss_mib").asLong() > 0);
        assertTrue(j.get("data_pipeline").get("augment_batch_images_per_s").asDouble() > 0);
        assertEquals("memory", j.get("data_pipeline").get("cache").asText());
        assertTrue(j.get("train_images_per_s_fed_by_pipeline").get("median").asDouble() > 0);
        assertTrue(j.get("backend").get("oneDnnHelpers").asBoolean());
        assertEquals("[batchnorm, cache, conv, lrn, pool, relu, sepconv]", j.get("fast_paths").asText());
    }

    @Test
    void jfrRecordsTheTimedTrainingStepsIntoAReadableRecording(@TempDir Path tmp) throws Exception {
        Path jfr = tmp.resolve("steps.jfr");
        Cli r = Cli.run("bench", "configs/models/inception-v1.yaml", "--set", "model.input=[64,64,3]", "--set", "model.width=0.125",
                "--batch", "4", "--warmup", "1", "--iterations", "3", "--data-config", "none", "--jfr", jfr.toString(),
                "--out", tmp.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.ActiveRecording")), "no recording metadata");
    }

    @Test
    void anUnknownFastPathIsAUsageError() {
        Cli r = Cli.run("bench", "--fast-paths", "lrn,turbo", "--data-config", "none");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown fast path 'turbo': expected all, none, or some of lrn,batchnorm,relu,cache"), r.err());
    }
}
