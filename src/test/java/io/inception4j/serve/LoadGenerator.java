package io.inception4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load for {@code inception4j serve}, with the JDK's HTTP client only: closed loop (N clients, each sending its
 * next image when the last is answered: throughput and latency), open loop (a fixed request rate whatever the
 * answers: overload), and hostile requests (each answered or dropped within its bound). ServeLoadTest runs a few
 * seconds of each in CI; scripts/bench-serve runs the full figures of results/serve/README.md through
 * {@link #main}.
 */
public final class LoadGenerator {
    static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final String model;
    private final List<byte[]> images;
    private final HttpClient http;

    LoadGenerator(URI base, String model, List<byte[]> images) {
        this.base = base;
        this.model = model;
        this.images = images;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4, r -> daemon(r, "load-http"))).build();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    URI predict() {
        return base.resolve("v1/models/" + model + ":predict");
    }

    HttpRequest request(int i) {
        return HttpRequest.newBuilder(predict()).timeout(Duration.ofSeconds(60)).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(Math.floorMod(i, images.size())))).build();
    }

    /**
     * Answers by status (-1: no answer: the connection failed), why the requests without an answer failed (the
     * client's exception and its innermost cause), and the latencies of the 200s.
     */
    static final class Tally {
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final List<long[]> latencies = new ArrayList<>();

        void status(int code) {
            statuses.computeIfAbsent(code, k -> new LongAdder()).increment();
        }

        void failed(Throwable e) {
            status(-1);
            Throwable top = e;
            while (top instanceof java.util.concurrent.CompletionException && top.getCause() != null) top = top.getCause();
            Throwable root = top;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = describe(top) + (root == top ? "" : " <- " + describe(root));
            failures.computeIfAbsent(why.length() > 240 ? why.substring(0, 240) : why, k -> new LongAdder()).increment();
        }

        private static String describe(Throwable t) {
            return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }

        Map<String, Long> byFailure() {
            Map<String, Long> m = new TreeMap<>();
            failures.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }

        long count(int code) {
            LongAdder a = statuses.get(code);
            return a == null ? 0 : a.sum();
        }

        Map<String, Long> byStatus() {
            Map<String, Long> m = new TreeMap<>();
            statuses.forEach((k, v) -> m.put(k == -1 ? "no_answer" : String.valueOf(k), v.sum()));
            return m;
        }

        double[] percentilesMs(double... ps) {
            int n = latencies.stream().mapToInt(a -> (int) a[0]).sum();
            long[] all = new long[n];
            int at = 0;
            for (long[] a : latencies) {
                System.arraycopy(a, 1, all, at, (int) a[0]);
                at += (int) a[0];
            }
            Arrays.sort(all);
            double[] out = new double[ps.length];
            for (int i = 0; i < ps.length; i++) out[i] = n == 0 ? Double.NaN : all[Math.min(n - 1, (int) Math.ceil(ps[i] * n) - 1)] / 1e6;
            return out;
        }
    }

    /** {@code concurrency} clients for {@code duration} after {@code warmup}: throughput and p50/p99 of the 200s. */
    ObjectNode closedLoop(int concurrency, Duration warmup, Duration duration) throws InterruptedException {
        Tally tally = new Tally();
        long start = System.nanoTime(), measureFrom = start + warmup.toNanos(), end = measureFrom + duration.toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            long[] mine = new long[1 + 20_000]; // latencies kept per client: enough for minutes at these rates
            synchronized (tally.latencies) {
                tally.latencies.add(mine);
            }
            Thread t = new Thread(() -> {
                for (int i = client; System.nanoTime() < end; i += concurrency) {
                    long sent = System.nanoTime();
                    int code;
                    IOException failure = null;
                    try {
                        code = http.send(request(i), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException e) {
                        code = -1;
                        failure = e;
                    } catch (InterruptedException e) {
                        return;
                    }
                    long done = System.nanoTime();
                    if (sent < measureFrom || done > end) continue;
                    if (failure != null) tally.failed(failure);
                    else tally.status(code);
                    if (code == 200 && mine[0] < mine.length - 1) mine[(int) ++mine[0]] = done - sent;
                }
            }, "load-client-" + c);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) t.join();
        double[] p = tally.percentilesMs(0.5, 0.99);
        ObjectNode r = JSON.createObjectNode().put("mode", "closed").put("concurrency", concurrency)
                .put("seconds", duration.toMillis() / 1000.0)
                .put("ok_per_s", tally.count(200) / (duration.toNanos() / 1e9)).put("p50_ms", p[0]).put("p99_ms", p[1]);
        r.set("statuses", JSON.valueToTree(tally.byStatus()));
        if (!tally.failures.isEmpty()) r.set("failures", JSON.valueToTree(tally.byFailure()));
        return r;
    }

    /**
     * {@code rate} requests a second for {@code duration}, sent whether or not earlier ones were answered (at most
     * {@code maxOutstanding} at once: past that a send is skipped and counted), while /healthz is asked every 500 ms
     * and the server's resident memory and open files ({@code pid}, 0: not sampled) read every second.
     */
    ObjectNode openLoop(double rate, Duration duration, int maxOutstanding, long pid) throws InterruptedException {
        Tally tally = new Tally();
        Semaphore outstanding = new Semaphore(maxOutstanding);
        LongAdder skipped = new LongAdder(), healthOk = new LongAdder(), healthFailed = new LongAdder();
        AtomicLong healthMaxNs = new AtomicLong();
        List<Long> rssKiB = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> daemon(r, "load-timer"));
        HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        timers.scheduleAtFixedRate(() -> {
            long t0 = System.nanoTime();
            try {
                int code = probe.send(HttpRequest.newBuilder(base.resolve("healthz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                (code == 200 ? healthOk : healthFailed).increment();
            } catch (Exception e) {
                healthFailed.increment();
            }
            healthMaxNs.accumulateAndGet(System.nanoTime() - t0, Math::max);
        }, 0, 500, TimeUnit.MILLISECONDS);
        List<Long> openFiles = java.util.Collections.synchronizedList(new ArrayList<>());
        if (pid > 0) timers.scheduleAtFixedRate(() -> {
            rssKiB.add(rssKiB(pid));
            openFiles.add(openFiles(pid));
        }, 0, 1, TimeUnit.SECONDS);
        long start = System.nanoTime(), intervalNs = (long) (1e9 / rate);
        long n = (long) (duration.toNanos() / 1e9 * rate);
        for (long i = 0; i < n; i++) {
            long due = start + i * intervalNs, wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            if (!outstanding.tryAcquire()) {
                skipped.increment();
                continue;
            }
            http.sendAsync(request((int) i), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e == null) tally.status(r.statusCode());
                else tally.failed(e);
                outstanding.release();
            });
        }
        outstanding.acquire(maxOutstanding); // every answer in
        timers.shutdownNow();
        ObjectNode r = JSON.createObjectNode().put("mode", "open").put("rate_per_s", rate).put("seconds", duration.toMillis() / 1000.0)
                .put("sent", n - skipped.sum()).put("skipped_outstanding", skipped.sum())
                .put("ok_per_s", tally.count(200) / (duration.toNanos() / 1e9))
                .put("healthz_ok", healthOk.sum()).put("healthz_failed", healthFailed.sum()).put("healthz_max_ms", healthMaxNs.get() / 1e6);
        r.set("statuses", JSON.valueToTree(tally.byStatus()));
        if (!tally.failures.isEmpty()) r.set("failures", JSON.valueToTree(tally.byFailure()));
        if (!rssKiB.isEmpty()) {
            List<Long> samples = new ArrayList<>(rssKiB);
            r.put("rss_first_mib", samples.get(0) / 1024).put("rss_max_mib", samples.stream().mapToLong(x -> x).max().orElse(0) / 1024)
                    .put("rss_last_mib", samples.get(samples.size() - 1) / 1024);
            r.set("rss_mib_per_s", JSON.valueToTree(samples.stream().map(x -> x / 1024).toList()));
            r.set("open_files_per_s", JSON.valueToTree(new ArrayList<>(openFiles)));
        }
        return r;
    }

    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone
        }
        return -1;
    }

    /** The process's open files (its sockets among them), or -1 when it is gone. */
    static long openFiles(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Each hostile request, what it got (the status line, or "dropped") and how long that took. */
    List<ObjectNode> hostile(Duration headerTrickleMax, int headerTrickleEveryMs) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        String predictPath = "/v1/models/" + model + ":predict";
        // A PNG whose header claims 60000 x 60000 pixels (3.6 gigapixels, 10.8 GB decoded)
        out.add(timed("bomb image (PNG header 60000 x 60000)", () -> exchange(head(predictPath, "image/png", 45), ServeTest.pngHeader(60_000, 60_000), 0, 0)));
        // 1 GB announced and streamed as fast as the socket takes it
        out.add(timed("1 GB body (Content-Length)", () -> exchange(head(predictPath, "image/jpeg", 1L << 30), null, 1L << 30, 0)));
        // 1 GB chunked, no length announced: refused once the limit is read
        out.add(timed("1 GB body (chunked)", () -> exchange("POST " + predictPath + " HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", null, 1L << 30, -1)));
        // Slowloris on the body: one byte every 500 ms of a 100 KB image
        out.add(timed("slowloris body (1 byte / 500 ms)", () -> exchange(head(predictPath, "image/jpeg", 100_000), new byte[100_000], 0, 500)));
        // Slowloris on the headers: a byte every headerTrickleEveryMs (more often than the idle timeout, which it keeps
        // from firing); then the same on a kept-alive connection, after one request answered
        String trickle = " (1 byte / " + headerTrickleEveryMs + " ms, " + headerTrickleMax.toSeconds() + " s max)";
        out.add(timed("slowloris headers" + trickle, () -> trickleHeaders(predictPath, headerTrickleEveryMs, headerTrickleMax, false)));
        out.add(timed("slowloris headers of a kept-alive connection's second request" + trickle,
                () -> trickleHeaders(predictPath, headerTrickleEveryMs, headerTrickleMax, true)));
        // Garbage multipart: random bytes under a multipart type; and 1000 empty parts
        byte[] noise = new byte[64 << 10];
        new Random(1).nextBytes(noise);
        out.add(timed("garbage multipart (64 KB random)", () -> exchange("POST " + predictPath + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: " + noise.length + "\r\n\r\n", noise, 0, 0)));
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < 1000; i++) parts.append("--xyz\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        byte[] many = parts.append("--xyz--\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        out.add(timed("multipart with 1000 parts", () -> exchange("POST " + predictPath + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: " + many.length + "\r\n\r\n", many, 0, 0)));
        return out;
    }

    private static String head(String path, String type, long length) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    interface Exchange {
        String run() throws Exception;
    }

    private static ObjectNode timed(String name, Exchange e) throws Exception {
        long t0 = System.nanoTime();
        String got = e.run();
        return JSON.createObjectNode().put("request", name).put("outcome", got).put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1e3);
    }

    /**
     * Sends {@code head}, then {@code body} (a byte every {@code trickleMs} when positive), or {@code stream} zero
     * bytes as fast as possible ({@code trickleMs} -1: as HTTP chunks); returns the status line the server answers
     * with (plus the bytes sent when streaming), or "dropped".
     */
    String exchange(String head, byte[] body, long stream, int trickleMs) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long sent = 0;
            try {
                if (body != null) {
                    if (trickleMs > 0) {
                        for (byte b : body) {
                            if (in.available() > 0) break;
                            out.write(b);
                            out.flush();
                            sent++;
                            Thread.sleep(trickleMs);
                        }
                    } else {
                        out.write(body);
                        sent = body.length;
                    }
                } else if (stream > 0) {
                    byte[] zeros = new byte[64 << 10];
                    byte[] chunkHead = (Integer.toHexString(zeros.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    while (sent < stream && in.available() == 0) {
                        if (trickleMs < 0) out.write(chunkHead);
                        out.write(zeros);
                        if (trickleMs < 0) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        sent += zeros.length;
                    }
                }
                out.flush();
            } catch (IOException | InterruptedException closed) {
                // the server stopped reading: its answer, if any, is read below
            }
            String status = statusLine(in);
            return (status == null ? "dropped" : status) + (stream > 0 ? String.format(java.util.Locale.ROOT, " after %,d bytes sent", sent) : "");
        }
    }

    /**
     * Trickles a request's headers, a byte every {@code everyMs}, for at most {@code max}; {@code keptAlive}: on a
     * connection that has just had a request ({@code GET /healthz}) answered, the way a kept-alive client's next
     * request arrives. Returns "dropped after N header bytes", "still open after ..." or "answered: STATUS".
     */
    private String trickleHeaders(String path, int everyMs, Duration max, boolean keptAlive) throws IOException, InterruptedException {
        byte[] head = head(path, "image/jpeg", 10).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            if (keptAlive) {
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String first = answer(in);
                if (!first.startsWith("HTTP/1.1 200")) return "first request: " + first;
            }
            long until = System.nanoTime() + max.toNanos();
            int i = 0;
            try {
                for (; i < head.length && System.nanoTime() < until; i++) {
                    s.getOutputStream().write(head[i]);
                    s.getOutputStream().flush();
                    Thread.sleep(everyMs);
                    if (in.available() > 0) break;
                    s.setSoTimeout(1);
                    try {
                        if (in.read() < 0) return "dropped after " + (i + 1) + " header bytes";
                    } catch (java.net.SocketTimeoutException open) {
                        // still open
                    }
                }
            } catch (IOException closed) {
                return "dropped after " + i + " header bytes";
            }
            return System.nanoTime() >= until ? "still open after " + max.toSeconds() + " s (" + i + " header bytes)" : "answered: " + statusLine(in);
        }
    }

    /** One whole answer (headers, then Content-Length bytes of body), read and discarded; its status line. */
    private static String answer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return "closed after " + head.size() + " bytes";
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
        if (length.find()) in.readNBytes(Integer.parseInt(length.group(1)));
        return text.substring(0, text.indexOf('\r'));
    }

    private static String statusLine(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b; (b = in.read()) >= 0 && b != '\r'; ) line.write(b);
        } catch (IOException e) {
            // reset
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    /**
     * {@code LoadGenerator BASE_URL MODEL IMAGE_DIR MODE ARGS}, one JSON object per result on stdout:
     * <pre>
     * closed CONCURRENCY WARMUP_S SECONDS
     * open RATE SECONDS MAX_OUTSTANDING PID
     * hostile HEADER_TRICKLE_MAX_S [HEADER_TRICKLE_EVERY_MS, default 2000]
     * </pre>
     */
    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0].endsWith("/") ? args[0] : args[0] + "/");
        List<byte[]> images = new ArrayList<>();
        try (var files = Files.list(Path.of(args[2]))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(64).toList()) images.add(Files.readAllBytes(f));
        }
        LoadGenerator load = new LoadGenerator(base, args[1], images);
        switch (args[3]) {
            case "closed" -> System.out.println(load.closedLoop(Integer.parseInt(args[4]), Duration.ofSeconds(Long.parseLong(args[5])),
                    Duration.ofSeconds(Long.parseLong(args[6]))));
            case "open" -> System.out.println(load.openLoop(Double.parseDouble(args[4]), Duration.ofSeconds(Long.parseLong(args[5])),
                    Integer.parseInt(args[6]), Long.parseLong(args[7])));
            case "hostile" -> {
                int every = args.length > 5 ? Integer.parseInt(args[5]) : 2000;
                for (ObjectNode r : load.hostile(Duration.ofSeconds(Long.parseLong(args[4])), every)) System.out.println(r);
            }
            default -> throw new IllegalArgumentException("mode: closed, open or hostile");
        }
        System.exit(0);
    }
}
