package io.inception4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.Cli;
import io.inception4j.cli.Main;
import io.inception4j.inference.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code inception4j serve} as a client sees it, on an ephemeral loopback port, with an untrained 64 px bundle. */
class ServeTest {
    @TempDir
    static Path tmp;
    static Path bundle;
    static ModelServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        bundle = TinyBundle.write(tmp.resolve("tiny.bundle"));
        server = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0)
                .withLimits(256 << 10, 4_000_000, Duration.ofSeconds(1), Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    static URI at(ModelServer s, String path) {
        return s.url().resolve(path);
    }

    static HttpResponse<String> post(ModelServer s, String path, byte[] body, String contentType, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(at(s, path)).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(ModelServer s, String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(at(s, path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] multipart(String boundary, String field, byte[] image) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"f.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Labels and probabilities as served must be predict's: the same decoder, preprocessing and network. */
    static void assertSameAsPredict(List<Classifier.Prediction> expected, String json) throws IOException {
        JsonNode got = JSON.readTree(json).path("predictions");
        assertEquals(expected.size(), got.size(), json);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).label(), got.get(i).path("label").asText(), json);
            assertEquals(expected.get(i).probability(), got.get(i).path("probability").asDouble(), 1e-6, json);
        }
    }

    @Test
    void anImageGetsPredictsTopThreeAsRawBodyAndAsMultipart() throws Exception {
        Path image = TinyBundle.flower(1);
        List<Classifier.Prediction> expected = Classifier.load(bundle).classify(image, 3);
        byte[] bytes = Files.readAllBytes(image);

        var raw = post(server, "/v1/models/tiny:predict", bytes, "image/jpeg");
        assertEquals(200, raw.statusCode(), raw.body());
        assertEquals("tiny", JSON.readTree(raw.body()).path("model").asText());
        assertSameAsPredict(expected, raw.body());

        String boundary = "----inception4jBoundary7MA4YWxk";
        var form = post(server, "/v1/models/tiny:predict", multipart(boundary, "image", bytes), "multipart/form-data; boundary=" + boundary);
        assertEquals(200, form.statusCode(), form.body());
        assertSameAsPredict(expected, form.body());

        // predict's own JSON line for the same file
        Cli predict = Cli.run("predict", bundle.toString(), image.toString(), "--json");
        assertEquals(0, predict.exitCode(), predict.err());
        JsonNode line = JSON.readTree(predict.out().lines().findFirst().orElseThrow());
        assertEquals(line.path("predictions").toString(), JSON.readTree(raw.body()).path("predictions").toString(),
                "same labels; probabilities to the last digit");

        var two = post(server, "/v1/models/tiny:predict?k=2", bytes, "application/octet-stream");
        assertEquals(2, JSON.readTree(two.body()).path("predictions").size(), two.body());
    }

    @Test
    void garbageIs400WithTheReasonAndAnOversizedBodyOrImageIs413() throws Exception {
        var garbage = post(server, "/v1/models/tiny:predict", "definitely not an image".getBytes(StandardCharsets.UTF_8), "image/jpeg");
        assertEquals(400, garbage.statusCode());
        assertEquals("not an image (unrecognised file signature)", JSON.readTree(garbage.body()).path("error").asText(), garbage.body());
        assertEquals("bad_image", JSON.readTree(garbage.body()).path("kind").asText());

        var badForm = post(server, "/v1/models/tiny:predict", "--x\r\nnonsense".getBytes(StandardCharsets.US_ASCII), "multipart/form-data; boundary=x");
        assertEquals(400, badForm.statusCode(), badForm.body());
        assertTrue(JSON.readTree(badForm.body()).path("error").asText().startsWith("malformed multipart body"), badForm.body());

        // 1 GB announced, nothing sent: refused from the headers, without waiting for (or reading) the body
        String answer = rawExchange(server, "POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Content-Length: 1073741824\r\n\r\n", null, 0);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("the body is 1,073,741,824 bytes; the limit is 262,144"), answer);

        // A PNG header claiming 50000 x 50000 pixels: refused before any pixel is decoded
        var bomb = post(server, "/v1/models/tiny:predict", pngHeader(50_000, 50_000), "image/png");
        assertEquals(413, bomb.statusCode(), bomb.body());
        assertTrue(bomb.body().contains("50000 x 50000 pixels"), bomb.body());

        var unknown = post(server, "/v1/models/nope:predict", new byte[] {1}, "image/jpeg");
        assertEquals(404, unknown.statusCode());
    }

    /** The first bytes of a PNG (signature, IHDR) with the given size, then an IEND chunk. */
    static byte[] pngHeader(int width, int height) {
        var b = java.nio.ByteBuffer.allocate(8 + 25 + 12);
        b.putLong(0x89504E470D0A1A0AL).putInt(13).putInt(0x49484452).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        b.putInt(0).putInt(0x49454E44).putInt(0xAE426082);
        return b.array();
    }

    @Test
    void healthReadinessModelsAndMetrics() throws Exception {
        assertEquals(200, get(server, "/healthz").statusCode());
        assertEquals(200, get(server, "/readyz").statusCode());
        JsonNode models = JSON.readTree(get(server, "/v1/models").body()).path("models");
        assertEquals("tiny", models.get(0).path("name").asText());
        assertEquals(TinyBundle.LABELS.toString(), JSON.readerForListOf(String.class).readValue(models.get(0).path("labels")).toString());
        assertEquals("[64,64,3]", models.get(0).path("input").toString());

        post(server, "/v1/models/tiny:predict", Files.readAllBytes(TinyBundle.flower(2)), "image/jpeg");
        String metrics = get(server, "/metrics").body();
        for (String name : List.of("inception4j_requests_total{model=\"tiny\",code=\"200\"}", "inception4j_errors_total",
                "inception4j_request_duration_seconds_bucket{model=\"tiny\",le=\"0.005\"}", "inception4j_request_duration_seconds_count",
                "inception4j_batch_size_bucket{model=\"tiny\",le=\"1\"}", "inception4j_queue_depth{model=\"tiny\"} 0", "inception4j_in_flight",
                "# TYPE inception4j_http_connections gauge\ninception4j_http_connections ", "inception4j_http_buffers_retained_bytes{pool=\"direct\"} ")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
    }

    @Test
    void aBurstBeyondATinyQueueIs503WithRetryAfterWhileHealthzAnswers() throws Exception {
        try (ModelServer small = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0)
                .withBatching(1, Duration.ZERO, 1))) {
            byte[] image = Files.readAllBytes(TinyBundle.flower(3));
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                burst.add(HTTP.sendAsync(HttpRequest.newBuilder(at(small, "/v1/models/tiny:predict")).timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            assertEquals(200, get(small, "/healthz").statusCode(), "liveness answers during the burst");
            int ok = 0, shed = 0;
            for (var f : burst) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) ok++;
                else {
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), "Retry-After");
                    shed++;
                }
            }
            assertTrue(ok >= 1 && shed >= 1, ok + " answered, " + shed + " shed");
            assertEquals(200, get(small, "/healthz").statusCode());
            assertTrue(small.metrics().text().contains("inception4j_errors_total{model=\"tiny\",kind=\"overloaded\"} " + shed), small.metrics().text());
        }
    }

    /**
     * The health checks wait for no pool thread: /healthz answers while every one is held by an upload that stalls
     * (before, it waited behind them until their read timeout answered them 408).
     */
    @Test
    void healthzAnswersWhileEveryPoolThreadIsHeldByAStalledUpload() throws Exception {
        try (ModelServer s = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0)
                .withLimits(256 << 10, 4_000_000, Duration.ofSeconds(10), Duration.ofSeconds(10)).withBatching(1, Duration.ZERO, 1))) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) { // more than the pool's 64 threads: each reads a body that does not come
                    Socket socket = new Socket("127.0.0.1", s.port());
                    socket.getOutputStream().write(("POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                            + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    stalled.add(socket);
                }
                Matcher inFlight = Pattern.compile("(?m)^inception4j_in_flight (\\d+)$").matcher("");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                while (!(inFlight.reset(s.metrics().text()).find() && Integer.parseInt(inFlight.group(1)) >= 60)) {
                    assertTrue(System.nanoTime() < until, "the stalled uploads did not take the pool's threads: " + s.metrics().text());
                    Thread.sleep(20);
                }
                assertEquals(200, get(s, "/healthz").statusCode());
                assertEquals(200, get(s, "/readyz").statusCode());
                Socket first = stalled.get(0);
                first.setSoTimeout(1);
                try {
                    int b = first.getInputStream().read();
                    first.setSoTimeout(1000);
                    String rest = new String(first.getInputStream().readNBytes(200), StandardCharsets.US_ASCII);
                    throw new AssertionError("the stalled upload was answered before /healthz was: " + (b < 0 ? "closed" : (char) b + rest));
                } catch (java.net.SocketTimeoutException stillWaiting) {
                    // as it should be: its answer comes at the read timeout
                }
            } finally {
                for (Socket socket : stalled) socket.close();
            }
        }
    }

    @Test
    void aTokenIsRequiredWhenSetButNotByTheHealthChecks() throws Exception {
        try (ModelServer locked = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0).withToken("s3cret"))) {
            byte[] image = Files.readAllBytes(TinyBundle.flower(4));
            var none = post(locked, "/v1/models/tiny:predict", image, "image/jpeg");
            assertEquals(401, none.statusCode());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, post(locked, "/v1/models/tiny:predict", image, "image/jpeg", "Authorization", "Bearer s3cres").statusCode());
            assertEquals(401, get(locked, "/v1/models").statusCode());
            assertEquals(401, get(locked, "/metrics").statusCode());
            assertEquals(200, post(locked, "/v1/models/tiny:predict", image, "image/jpeg", "Authorization", "Bearer s3cret").statusCode());
            assertEquals(200, get(locked, "/healthz").statusCode());
            assertEquals(200, get(locked, "/readyz").statusCode());
        }
    }

    @Test
    void aSlowUploadIsDroppedAtTheReadTimeout() throws Exception {
        long start = System.nanoTime();
        // 1000 bytes announced, 10 sent, then silence: the 1 s read timeout answers 408 and closes
        String answer = rawExchange(server, "POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Content-Length: 1000\r\n\r\n", new byte[10], 0);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        assertTrue(seconds < 5, "dropped after " + seconds + " s");

        // A byte every 300 ms keeps the connection from idling, but not the whole body from its deadline
        start = System.nanoTime();
        answer = rawExchange(server, "POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Content-Length: 1000\r\n\r\n", new byte[20], 300);
        seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        assertTrue(seconds < 8, "dropped after " + seconds + " s");
    }

    /**
     * Sends {@code head}, then {@code body} (a byte every {@code trickleMs} when positive), and returns whatever the
     * server answers before it closes (empty when it just closed).
     */
    static String rawExchange(ModelServer s, String head, byte[] body, int trickleMs) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (body != null) {
                try {
                    for (byte b : body) {
                        out.write(b);
                        out.flush();
                        if (trickleMs > 0) Thread.sleep(trickleMs);
                    }
                } catch (IOException closedByServer) {
                    // the answer, if any, is read below
                }
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.UTF_8).contains("}")) break; // one JSON answer is enough
                }
            } catch (IOException reset) {
                // closed without an answer
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void stopAnswersTheRequestInFlightThenStops() throws Exception {
        ModelServer s = ModelServer.start(Map.of("tiny", Classifier.load(bundle)), ServeOptions.defaults().withPort(0));
        int port = s.port();
        byte[] image = Files.readAllBytes(TinyBundle.flower(5));
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: " + image.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(image, 0, image.length / 2);
            out.flush();
            Thread.sleep(200); // the request is in the handler, reading its body
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(s::stop);
            Thread.sleep(300);
            assertFalse(stopping.isDone(), "stop waits for the request in flight");
            assertFalse(s.ready(), "/readyz says stopping");
            out.write(image, image.length / 2, image.length - image.length / 2);
            out.flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", answer);
            stopping.get(30, TimeUnit.SECONDS);
        }
        assertTrue(refused(port), "no longer listening");
    }

    static boolean refused(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The command: serves until SIGTERM (raised in this JVM, where serve's handler catches it), then exits 0. */
    @Test
    void theServeCommandExitsZeroOnSigterm() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() ->
                Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "cli=" + bundle, "--port", "0"));
        Matcher url = Pattern.compile("at (http://\\S+/) ").matcher("");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!url.reset(out.toString()).find()) {
            assertFalse(exit.isDone(), "serve ended early: " + out + err);
            assertTrue(System.nanoTime() < until, "serve did not start: " + out + err);
            Thread.sleep(50);
        }
        URI base = URI.create(url.group(1));
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(base.resolve("readyz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
        assertEquals(0, exit.get(60, TimeUnit.SECONDS), out + "\n" + err);
        assertTrue(out.toString().contains("stopped (TERM)"), out.toString());
        assertTrue(refused(base.getPort()));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Cli noToken = Cli.run("serve", bundle.toString(), "--token-env", "INCEPTION4J_NO_SUCH_VARIABLE");
        assertEquals(2, noToken.exitCode());
        assertTrue(noToken.err().contains("--token-env INCEPTION4J_NO_SUCH_VARIABLE: the variable is not set or empty"), noToken.err());
        Cli twice = Cli.run("serve", bundle.toString(), bundle.toString());
        assertEquals(2, twice.exitCode());
        assertTrue(twice.err().contains("a second model named 'tiny'"), twice.err());
    }
}
