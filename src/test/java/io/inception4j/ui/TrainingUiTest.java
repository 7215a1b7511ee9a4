package io.inception4j.ui;

import io.inception4j.train.Trainer;
import io.inception4j.train.TinyFlowers;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DL4J's training UI, live during a tiny training run: the pages answer, on loopback only, without errors. */
class TrainingUiTest {

    @Test
    void theLiveUiServesItsOverviewPageAndDataDuringTrainingOnLoopbackOnly(@TempDir Path tmp) throws Exception {
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AbstractAppender capture = new AbstractAppender("ui-test-errors", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent e) {
                if (e.getLevel().isMoreSpecificThan(org.apache.logging.log4j.Level.WARN) && e.getThrown() != null) {
                    errors.add(e.getLoggerName() + ": " + e.getMessage().getFormattedMessage() + ": " + e.getThrown());
                }
            }
        };
        capture.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(capture, org.apache.logging.log4j.Level.WARN, null);
        ctx.updateLoggers();

        Path exp = TinyFlowers.setUp(tmp, 2);
        HttpClient http = HttpClient.newHttpClient();
        Map<String, HttpResponse<String>> seen = new ConcurrentHashMap<>();
        try (UiServer server = UiServer.start("127.0.0.1", 0)) {
            assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
            Trainer.Options options = TinyFlowers.options(tmp.resolve("runs"), null, (epoch, batch, loss) -> {
                if (epoch == 1 && batch == 1) { // mid-training: statistics of a few iterations are in
                    for (String page : List.of("/train/overview", "/train/overview/data", "/train/model", "/train/system")) {
                        try {
                            seen.put(page, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + page)).build(),
                                    HttpResponse.BodyHandlers.ofString()));
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }).withObservers(List.of(new LiveStats(server, 1)));
            Trainer.Result r = Trainer.start(TinyFlowers.load(exp), options);
            assertTrue(Files.size(LiveStats.statsFile(r.run().dir())) > 0, "statistics recorded in the run directory");

            for (String page : List.of("/train/overview", "/train/overview/data", "/train/model", "/train/system")) {
                assertEquals(200, seen.get(page).statusCode(), page);
            }
            assertTrue(seen.get("/train/overview").body().contains("<html"), "an HTML page");
            String data = seen.get("/train/overview/data").body();
            assertTrue(data.contains("\"scores\"") && data.contains("\"updateRatios\""), data.substring(0, Math.min(300, data.length())));

            InetAddress outside = nonLoopbackAddress();
            if (outside != null) {
                assertThrows(ConnectException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(outside, server.port()), 2000);
                    }
                }, "not reachable on " + outside);
            }
        } finally {
            ctx.getConfiguration().getRootLogger().removeAppender("ui-test-errors");
            ctx.updateLoggers();
        }
        assertEquals(List.of(), errors, "no exceptions logged");
    }

    /**
     * A run shorter than --ui-frequency (6 iterations against 50) still records its first and its last
     * iteration, so `ui RUN` shows its model and score; DL4J's own frequency recorded none of them.
     */
    @Test
    void aRunShorterThanTheFrequencyRecordsItsFirstAndLastIteration(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 2);
        Trainer.Result r;
        try (UiServer server = UiServer.start("127.0.0.1", 0)) {
            r = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null)
                    .withObservers(List.of(new LiveStats(server, 50))));
        }
        int iterations = io.inception4j.train.Checkpoints.load(r.run().checkpoints().resolve("epoch-0002.zip"), false)
                .graph().getConfiguration().getIterationCount();
        var storage = LiveStats.open(r.run().dir());
        try {
            String session = storage.listSessionIDs().get(0);
            String type = org.deeplearning4j.ui.model.stats.StatsListener.TYPE_ID;
            String worker = storage.listWorkerIDsForSessionAndType(session, type).get(0);
            var init = (org.deeplearning4j.ui.model.stats.api.StatsInitializationReport) storage.getStaticInfo(session, type, worker);
            assertTrue(init.getModelNumParams() > 0 && init.getModelClassName().endsWith("ComputationGraph"), init.getModelClassName());
            List<Integer> recorded = storage.getAllUpdatesAfter(session, type, worker, 0).stream()
                    .map(u -> ((org.deeplearning4j.ui.model.stats.api.StatsReport) u).getIterationCount()).toList();
            assertEquals(List.of(0, iterations - 1), recorded);
            var last = (org.deeplearning4j.ui.model.stats.api.StatsReport) storage.getLatestUpdate(session, type, worker);
            assertTrue(Double.isFinite(last.getScore()) && last.getScore() > 0, "the score: " + last.getScore());
        } finally {
            storage.close();
        }
    }

    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) continue;
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address) return a;
            }
        }
        return null;
    }

    /** A damaged statistics file is one line and exit 2 (MapDB's own exception, with its stack, before), unchanged. */
    @Test
    void aDamagedStatisticsFileIsRefusedBeforeServingAndLeftAsItWas(@TempDir Path tmp) throws Exception {
        byte[] junk = new byte[100_000];
        new java.util.Random(3).nextBytes(junk);
        Path stats = Files.write(LiveStats.statsFile(Files.createDirectories(tmp.resolve("run"))), junk);
        io.inception4j.Cli r = io.inception4j.Cli.run("ui", tmp.resolve("run").toString(), "--port", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("error: " + stats + ": not a readable UI statistics file ("), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(stats)), "the file is left as it was");
    }
}
