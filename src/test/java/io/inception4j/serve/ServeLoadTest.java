package io.inception4j.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.inference.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load test's CI mode: seconds of each load scripts/bench-serve runs for minutes, against the tiny 64 px
 * bundle in this JVM. Holds the properties, not the figures: every answer is 200 or 503, /healthz always
 * answers, every hostile request is answered or dropped within its bound.
 */
class ServeLoadTest {
    @TempDir
    static Path tmp;
    static ModelServer server;
    static LoadGenerator load;

    @BeforeAll
    static void start() throws Exception {
        Path bundle = TinyBundle.write(tmp.resolve("tiny.bundle"));
        server = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0)
                .withLimits(1 << 20, 100_000_000, Duration.ofSeconds(2), Duration.ofSeconds(10)).withBatching(8, Duration.ofMillis(5), 16));
        List<byte[]> images = new ArrayList<>();
        for (int i = 1; i <= 8; i++) images.add(Files.readAllBytes(TinyBundle.flower(i)));
        load = new LoadGenerator(server.url(), "tiny", images);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    @Test
    void closedLoopAnswersEveryRequest() throws Exception {
        for (int c : new int[] {1, 8}) {
            ObjectNode r = load.closedLoop(c, Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertEquals(Set.of("200"), asSet(r), r.toString());
            assertTrue(r.path("ok_per_s").asDouble() > 0 && r.path("p99_ms").asDouble() >= r.path("p50_ms").asDouble(), r.toString());
        }
    }

    @Test
    void overloadIsShedWith503AndHealthzAnswersThroughout() throws Exception {
        ObjectNode r = load.openLoop(400, Duration.ofSeconds(3), 512, ProcessHandle.current().pid());
        assertTrue(Set.of("200", "503").containsAll(asSet(r)), r.toString());
        assertTrue(r.path("statuses").path("200").asLong() > 0, r.toString());
        assertEquals(0, r.path("healthz_failed").asLong(), r.toString());
        assertTrue(r.path("healthz_ok").asLong() >= 4, r.toString());
    }

    @Test
    void hostileRequestsAreAnsweredOrDroppedWithinTheirBounds() throws Exception {
        // Header trickle: a byte every 500 ms, under the 2 s idle timeout, for up to 6 s
        List<ObjectNode> results = load.hostile(Duration.ofSeconds(6), 500);
        String all = results.toString();
        assertEquals(8, results.size(), all);
        assertTrue(results.get(0).path("outcome").asText().startsWith("HTTP/1.1 413"), all); // bomb
        assertTrue(results.get(1).path("outcome").asText().startsWith("HTTP/1.1 413"), all); // 1 GB announced
        assertTrue(results.get(2).path("outcome").asText().matches("(HTTP/1.1 413|dropped).*"), all); // 1 GB chunked
        for (int i = 1; i <= 2; i++) assertTrue(results.get(i).path("seconds").asDouble() < 10, all);
        assertTrue(results.get(3).path("outcome").asText().matches("HTTP/1.1 408.*|dropped"), all); // slow body
        assertTrue(results.get(3).path("seconds").asDouble() < 6, all);
        for (int i = 4; i <= 5; i++) { // trickled headers, of a first request and of a kept-alive second one: 2 s deadline
            assertTrue(results.get(i).path("outcome").asText().startsWith("dropped"), all);
            assertTrue(results.get(i).path("seconds").asDouble() < 6, all);
        }
        assertTrue(results.get(6).path("outcome").asText().startsWith("HTTP/1.1 400"), all); // garbage multipart
        assertTrue(results.get(7).path("outcome").asText().startsWith("HTTP/1.1 400"), all); // 1000 parts
    }

    private static Set<String> asSet(ObjectNode r) {
        Set<String> s = new java.util.TreeSet<>();
        r.path("statuses").fieldNames().forEachRemaining(s::add);
        return s;
    }
}
