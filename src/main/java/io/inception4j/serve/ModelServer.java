package io.inception4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.data.ImageDecoder;
import io.inception4j.inference.Classifier;
import io.inception4j.serve.ServeMetrics.ErrorKind;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Attributes;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves bundles over HTTP.
 *
 * <pre>
 * POST /v1/models/NAME:predict[?k=3]  an image as the raw body, or the first file of a multipart/form-data body
 *                                     200 {"model": NAME, "predictions": [{"label": .., "probability": ..}, ..]}
 * GET  /v1/models                     the models, their labels and input sizes
 * GET  /healthz                       200 while the process serves (liveness)
 * GET  /readyz                        200 once every model is loaded and warmed, 503 before and while stopping
 * GET  /metrics                       Prometheus text ({@link ServeMetrics})
 * </pre>
 *
 * Errors are {@code {"error": reason, "kind": kind}}: 400 a bad image or request, 401 no or a wrong bearer token
 * (when one is set; the health checks need none), 404, 405, 408 an upload slower than the read timeout, 413 a
 * body or an image over its limit, 503 with Retry-After when the model's queue or the upload budget is full or
 * the request waited past its deadline (the load is the cause in both cases: the client should come back later).
 *
 * <p>The health checks are answered on the thread that parsed them; every other request blocks (its thread reads
 * its body, decodes it, and waits for its batch), on a bounded thread pool. What a request holds is bounded on
 * every path: its body by the max body size and a shared byte budget (16 bodies at the limit), its image by the
 * pixel limit before decoding, its wait by the queue and the deadline.
 */
public final class ModelServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RETRY_AFTER_SECONDS = 1;
    /** Parts a multipart request may have: an image and a few fields. */
    private static final int MAX_PARTS = 8;
    static final int MAX_CONNECTIONS = 1024;
    /** Idle network buffers kept for reuse, direct and heap each. */
    static final long RETAINED_BUFFER_BYTES = 16L << 20;

    private final Map<String, ModelWorker> models;
    private final ServeOptions options;
    private final ServeMetrics metrics;
    private final Server server;
    private final ServerConnector connector;
    /** Bytes of request bodies held at once, in KiB: the memory uploads may take, whatever the clients do. */
    private final Semaphore bodyBudgetKiB;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Per open connection, the requests that have reached the handler (see {@link #headerDeadline}). */
    private final Map<Connection, AtomicLong> requestsSeen = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** Runs every request but the health checks (they may block: reading a body, waiting for a batch). */
    private final ExecutorService requestPool;

    private ModelServer(Map<String, ModelWorker> models, ServeOptions options, ServeMetrics metrics) {
        this.models = models;
        this.options = options;
        this.metrics = metrics;
        this.bodyBudgetKiB = new Semaphore((int) Math.min(Integer.MAX_VALUE, Math.max(options.maxBodyBytes() * 16, 64L << 20) >> 10));
        // Request threads (every route but the health checks, see Routes): enough for every request the models may
        // hold (queued or in a batch) plus uploads being read. Requests beyond that wait for one in this pool's queue
        // (a few hundred bytes each, and no more of them than connections), and are shed quickly once they get one.
        // A pool of their own, not Jetty's: Jetty's pool also accepts connections and reads requests, which must not
        // wait behind requests that block.
        int queued = models.values().size() * (options.queueSize() + options.maxBatch());
        int requestThreads = Math.max(64, queued + 32);
        java.util.concurrent.atomic.AtomicInteger threadNumber = new java.util.concurrent.atomic.AtomicInteger();
        ThreadPoolExecutor requests = new ThreadPoolExecutor(requestThreads, requestThreads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "inception4j-request-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        requests.allowCoreThreadTimeOut(true);
        this.requestPool = requests;
        QueuedThreadPool pool = new QueuedThreadPool(32, 4);
        pool.setName("inception4j-http");
        pool.setDaemon(true);
        // Network buffers Jetty keeps for reuse once their connection is done with them: 16 MB of each kind, instead of
        // its default of an eighth of the heap's maximum each (about 750 MB of each under the launcher's defaults on
        // this 24 GB machine). Those in use are bounded by the connection cap below.
        this.server = new Server(pool, null, new ArrayByteBufferPool(0, -1, -1, Integer.MAX_VALUE, RETAINED_BUFFER_BYTES, RETAINED_BUFFER_BYTES));
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(16 << 10);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.readTimeout().toMillis());
        server.addConnector(connector);
        metrics.serverGauge("inception4j_http_connections", "", "Open connections.", () -> connector.getConnectedEndPoints().size());
        for (boolean direct : new boolean[] {true, false}) {
            metrics.serverGauge("inception4j_http_buffers_retained_bytes", ServeMetrics.labels("pool", direct ? "direct" : "heap"),
                    "Idle network buffers kept for reuse.", () -> server.getByteBufferPool() instanceof ArrayByteBufferPool p
                            ? (direct ? p.getDirectMemory() : p.getHeapMemory()) : -1);
        }
        // Connections that trickle their headers hold no thread (Jetty parses headers without one) but do hold a
        // socket and a buffer each: past this many, new connections wait in the kernel's backlog.
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection c) {
                requestsSeen.put(c, new AtomicLong());
                headerDeadline(c, 0);
            }

            @Override
            public void onClosed(Connection c) {
                requestsSeen.remove(c);
            }
        });
        // Not dynamic (no handler is added once started): else Jetty takes the handlers as blocking whatever Routes says.
        GracefulHandler graceful = new GracefulHandler(new Routes());
        graceful.setDynamic(false);
        server.setDynamic(false);
        server.setHandler(graceful);
        server.setStopTimeout(options.requestTimeout().toMillis() + options.readTimeout().toMillis());
    }

    /**
     * The header deadline. Jetty's idle timeout restarts with every byte, so a client trickling a request's headers
     * would keep its connection for ever: each request's headers must be in (the request must reach the handler)
     * within the read timeout of the connection opening or of the previous answer being sent, else the connection
     * is closed. A connection that sent nothing in that time is left alone: it is idle, and the idle timeout
     * (the same length) closes it.
     *
     * @param requests the requests {@code c} had seen when this request's wait began
     */
    private void headerDeadline(Connection c, long requests) {
        long bytesIn = c.getBytesIn();
        connector.getScheduler().schedule(() -> {
            AtomicLong seen = requestsSeen.get(c);
            if (seen != null && seen.get() == requests && c.getBytesIn() > bytesIn) c.close();
        }, options.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Warms every model, then listens. {@code classifiers}: model name to its loaded bundle, in the order
     * {@code GET /v1/models} lists them.
     */
    public static ModelServer start(Map<String, Classifier> classifiers, ServeOptions options) throws Exception {
        if (classifiers.isEmpty()) throw new IllegalArgumentException("no models to serve");
        ServeMetrics metrics = new ServeMetrics();
        Map<String, ModelWorker> workers = new LinkedHashMap<>();
        classifiers.forEach((name, c) -> {
            ModelWorker w = new ModelWorker(name, c, options, metrics);
            workers.put(name, w);
            metrics.register(w);
        });
        ModelServer s = new ModelServer(workers, options, metrics);
        s.server.start();
        for (ModelWorker w : workers.values()) w.start();
        return s;
    }

    /** The model name for a bundle file: its name without the extension ({@code flowers.bundle}: flowers). */
    public static String modelName(Path bundle) {
        String n = bundle.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public URI url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    public ServeMetrics metrics() {
        return metrics;
    }

    public boolean ready() {
        return !stopping && models.values().stream().allMatch(ModelWorker::ready);
    }

    /**
     * Graceful stop: /readyz turns 503 at once, the listener closes, requests in flight finish (up to the
     * request and read timeouts), then the batchers answer what they still hold and stop.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                awaitStopped();
                return;
            }
            stopping = true;
        }
        try {
            server.stop();
            requestPool.shutdown();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the HTTP server: " + e.getMessage(), e);
        } finally {
            for (ModelWorker w : models.values()) w.stop(options.requestTimeout());
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A request refused: its status, reason and kind; {@code close} drops the connection (a body we did not read). */
    private static final class Refused extends Exception {
        final int status;
        final ErrorKind kind;
        final boolean close;

        Refused(int status, ErrorKind kind, String reason, boolean close) {
            super(reason, null, false, false);
            this.status = status;
            this.kind = kind;
            this.close = close;
        }
    }

    private record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Answer json(int status, Object value) {
            try {
                return new Answer(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer text(int status, String contentType, String text) {
            return new Answer(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Answer refused(Refused r) {
            ObjectNode o = JSON.createObjectNode().put("error", r.getMessage()).put("kind", r.kind.name().toLowerCase(java.util.Locale.ROOT));
            Answer a = json(r.status, o);
            Map<String, String> headers = new LinkedHashMap<>();
            if (r.status == 503) headers.put("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            if (r.status == 401) headers.put("WWW-Authenticate", "Bearer");
            if (r.close) headers.put(HttpHeader.CONNECTION.asString(), HttpHeaderValue.CLOSE.asString());
            return new Answer(a.status, a.contentType, a.body, headers);
        }
    }

    /**
     * The routes. The handler says it never blocks, so Jetty parses each request and calls {@link #handle} on the
     * thread that read it, instead of queueing that work for a pool thread: the health checks are answered there
     * and then, so liveness answers at once even when every pool thread is busy and hundreds of connections wait for
     * one (under overload, a {@code /healthz} queued behind them took up to 2.4 s). Everything else may block
     * (reading a body, waiting for a batch) and runs on the request pool.
     */
    private final class Routes extends Handler.Abstract {
        Routes() {
            super(InvocationType.NON_BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long arrived = System.nanoTime();
            Connection connection = request.getConnectionMetaData().getConnection();
            AtomicLong seen = requestsSeen.get(connection);
            long nth = seen == null ? -1 : seen.incrementAndGet();
            String path = Request.getPathInContext(request);
            Callback done = nth < 0 ? callback : new Callback() {
                @Override
                public void succeeded() {
                    headerDeadline(connection, nth); // the next request's headers have from now
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    callback.failed(x);
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            if (path.equals("/healthz")) {
                respond(response, done, null, Answer.text(200, "text/plain", "ok\n"), arrived);
            } else if (path.equals("/readyz")) {
                if (ready()) {
                    respond(response, done, null, Answer.text(200, "text/plain", "ready\n"), arrived);
                } else {
                    metrics.error(null, ErrorKind.OVERLOADED);
                    respond(response, done, null, Answer.refused(new Refused(503, ErrorKind.OVERLOADED,
                            stopping ? "stopping" : "models are still loading", false)), arrived);
                }
            } else {
                try {
                    requestPool.execute(() -> {
                        try {
                            handleBlocking(request, response, done, path, arrived);
                        } catch (Throwable e) {
                            done.failed(e);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    done.failed(e); // stopping
                }
            }
            return true;
        }

        /** Every route but the health checks, on a pool thread. */
        private void handleBlocking(Request request, Response response, Callback callback, String path, long arrived) {
            String model = null;
            Answer answer;
            try {
                if (path.startsWith("/v1/models/") && path.endsWith(":predict")) {
                    model = path.substring("/v1/models/".length(), path.length() - ":predict".length());
                    if (!models.containsKey(model)) model = null; // unknown names stay out of the metric labels
                }
                answer = route(request, path, arrived);
            } catch (Refused r) {
                metrics.error(model, r.kind);
                // A refusal before the body was read drains it (discarding, bounded by the limits) so that the
                // client, still sending, reads the answer instead of a reset connection, and the connection is reused.
                answer = Answer.refused(r.close || drained(request, arrived) ? r : new Refused(r.status, r.kind, r.getMessage(), true));
            } catch (RuntimeException | LinkageError e) {
                metrics.error(model, ErrorKind.INTERNAL);
                answer = Answer.refused(new Refused(500, ErrorKind.INTERNAL, "internal error: " + e, false));
            }
            respond(response, callback, model, answer, arrived);
        }

        private void respond(Response response, Callback callback, String model, Answer answer, long arrived) {
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
            answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            metrics.answered(model, answer.status(), System.nanoTime() - arrived);
        }

        private Answer route(Request request, String path, long arrived) throws Refused {
            String method = request.getMethod();
            authorize(request);
            if (path.equals("/metrics")) return Answer.text(200, "text/plain; version=0.0.4", metrics.text());
            if (path.equals("/v1/models")) return Answer.json(200, listing());
            if (path.startsWith("/v1/models/") && path.endsWith(":predict")) {
                String name = path.substring("/v1/models/".length(), path.length() - ":predict".length());
                ModelWorker worker = models.get(name);
                if (worker == null) throw new Refused(404, ErrorKind.NOT_FOUND, "no model named '" + name + "'; serving " + models.keySet(), false);
                if (!method.equals("POST")) throw new Refused(405, ErrorKind.BAD_REQUEST, "predict takes POST with an image", false);
                return predict(request, worker, arrived);
            }
            throw new Refused(404, ErrorKind.NOT_FOUND, "no such endpoint: " + path
                    + " (POST /v1/models/NAME:predict, GET /v1/models, /healthz, /readyz, /metrics)", false);
        }

        private void authorize(Request request) throws Refused {
            if (options.token() == null) return;
            String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            byte[] expected = ("Bearer " + options.token()).getBytes(StandardCharsets.UTF_8);
            // Compared in constant time, so the answer's timing does not tell how much of a guess was right.
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
                throw new Refused(401, ErrorKind.UNAUTHORIZED, given == null ? "a bearer token is required" : "wrong bearer token", false);
            }
        }

        private ObjectNode listing() {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode list = root.putArray("models");
            models.forEach((name, w) -> {
                var pre = w.classifier().bundle().preprocessing();
                ObjectNode m = list.addObject().put("name", name).put("ready", w.ready())
                        .put("network", w.classifier().bundle().info().path("model").asText(""));
                m.putArray("input").add(pre.height()).add(pre.width()).add(3);
                ArrayNode labels = m.putArray("labels");
                w.classifier().labels().forEach(labels::add);
                m.put("predict", "/v1/models/" + name + ":predict");
            });
            return root;
        }

        private Answer predict(Request request, ModelWorker worker, long arrived) throws Refused {
            int k = topK(request, worker.classifier().labels().size());
            long length = request.getLength();
            if (length > options.maxBodyBytes()) {
                throw new Refused(413, ErrorKind.TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "the body is %,d bytes; the limit is %,d", length, options.maxBodyBytes()), true);
            }
            // Shed before reading or decoding anything: under overload, a refusal must cost next to nothing.
            if (worker.queueDepth() >= options.queueSize()) {
                throw new Refused(503, ErrorKind.OVERLOADED, "the model's queue is full (" + options.queueSize() + "); try again shortly", false);
            }
            int reservedKiB = kib(length > 0 ? length : options.maxBodyBytes());
            if (!bodyBudgetKiB.tryAcquire(reservedKiB)) {
                throw new Refused(503, ErrorKind.OVERLOADED, "too many uploads at once; try again shortly", false);
            }
            metrics.admitted();
            try {
                ModelWorker.Job job;
                try {
                    byte[] body = readBody(request, arrived + options.readTimeout().toNanos());
                    byte[] image = image(request, body);
                    job = new ModelWorker.Job(prepare(worker, image), k, arrived + options.requestTimeout().toNanos(), new CompletableFuture<>());
                } finally {
                    bodyBudgetKiB.release(reservedKiB);
                }
                return await(worker, job);
            } finally {
                metrics.done();
            }
        }

        /** Queues the prepared image and waits for its batch, until the request's deadline. */
        private Answer await(ModelWorker worker, ModelWorker.Job job) throws Refused {
            if (!worker.offer(job)) {
                throw new Refused(503, ErrorKind.OVERLOADED, "the model's queue is full (" + options.queueSize() + "); try again shortly", false);
            }
            List<Classifier.Prediction> top;
            try {
                top = job.result().get(Math.max(0, job.deadlineNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                if (e instanceof TimeoutException || e.getCause() instanceof ModelWorker.Expired) {
                    job.result().cancel(false); // the batcher skips it if it has not run yet
                    throw new Refused(503, ErrorKind.REQUEST_TIMEOUT, "not answered within " + options.requestTimeout().toMillis()
                            + " ms; the server is overloaded, try again shortly", false);
                }
                throw new IllegalStateException("the network failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refused(503, ErrorKind.REQUEST_TIMEOUT, "the server is stopping", true);
            }
            ObjectNode out = JSON.createObjectNode().put("model", worker.name());
            ArrayNode arr = out.putArray("predictions");
            top.forEach(p -> arr.addObject().put("label", p.label()).put("probability", p.probability()));
            return Answer.json(200, out);
        }

        private int topK(Request request, int labels) throws Refused {
            String k = Request.extractQueryParameters(request).getValue("k");
            if (k == null) return Math.min(options.topK(), labels);
            try {
                int v = Integer.parseInt(k);
                if (v >= 1 && v <= labels) return v;
            } catch (NumberFormatException ignored) {
                // answered below
            }
            throw new Refused(400, ErrorKind.BAD_REQUEST, "k=" + k + ": expected a whole number from 1 to " + labels, false);
        }

        /**
         * The body, read with a deadline on the whole of it: the idle timeout alone would let a client that sends a
         * byte a second hold the request for ever.
         */
        private byte[] readBody(Request request, long deadlineNanos) throws Refused {
            long length = request.getLength();
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(length, 0), options.maxBodyBytes()) + 16);
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    try {
                        if (!awaitMore(request, deadlineNanos)) {
                            throw new Refused(408, ErrorKind.UPLOAD_TIMEOUT, "the body did not arrive within " + options.readTimeout().toMillis() + " ms", true);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Refused(503, ErrorKind.UPLOAD_TIMEOUT, "the server is stopping", true);
                    }
                    continue;
                }
                try {
                    if (Content.Chunk.isFailure(chunk)) {
                        throw new Refused(400, ErrorKind.UPLOAD_TIMEOUT, "the upload failed: " + chunk.getFailure().getMessage(), true);
                    }
                    ByteBuffer b = chunk.getByteBuffer();
                    if ((long) out.size() + b.remaining() > options.maxBodyBytes()) {
                        throw new Refused(413, ErrorKind.TOO_LARGE, String.format(java.util.Locale.ROOT,
                                "the body is over the limit of %,d bytes", options.maxBodyBytes()), true);
                    }
                    byte[] part = new byte[b.remaining()];
                    b.get(part);
                    out.write(part, 0, part.length);
                    if (chunk.isLast()) return out.toByteArray();
                } finally {
                    chunk.release();
                }
            }
        }

        /** Waits until more of the body can be read; false if {@code deadlineNanos} passes first. */
        private boolean awaitMore(Request request, long deadlineNanos) throws InterruptedException {
            CompletableFuture<Void> more = new CompletableFuture<>();
            request.demand(() -> more.complete(null));
            try {
                more.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Reads and discards what is left of the body, within the body limit and read timeout; false if it could not. */
        private boolean drained(Request request, long arrived) {
            long deadline = arrived + options.readTimeout().toNanos(), seen = 0;
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    try {
                        if (!awaitMore(request, deadline)) return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                    continue;
                }
                try {
                    if (Content.Chunk.isFailure(chunk)) return false;
                    seen += chunk.remaining();
                    if (seen > options.maxBodyBytes()) return false;
                    if (chunk.isLast()) return true;
                } finally {
                    chunk.release();
                }
            }
        }

        /** The image: the raw body, or the {@code image} (else {@code file}, else first) part of a multipart form. */
        private byte[] image(Request request, byte[] body) throws Refused {
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) return body;
            MultiPartConfig config = new MultiPartConfig.Builder().maxParts(MAX_PARTS).maxSize(options.maxBodyBytes())
                    .maxPartSize(options.maxBodyBytes()).maxMemoryPartSize(options.maxBodyBytes()).maxHeadersSize(8 << 10)
                    .location(Path.of(System.getProperty("java.io.tmpdir"))).build();
            try (MultiPartFormData.Parts parts = MultiPartFormData.getParts(Content.Source.from(ByteBuffer.wrap(body)), new Attributes.Mapped(), type, config)) {
                MultiPart.Part part = parts.getFirst("image");
                if (part == null) part = parts.getFirst("file");
                if (part == null && parts.size() > 0) part = parts.get(0);
                if (part == null) throw new Refused(400, ErrorKind.BAD_REQUEST, "the multipart body has no parts", false);
                ByteBuffer content = Content.Source.asByteBuffer(part.getContentSource());
                byte[] bytes = new byte[content.remaining()];
                content.get(bytes);
                return bytes;
            } catch (Refused r) {
                throw r;
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException || e.getCause() != null ? e.getCause() : e;
                throw new Refused(400, ErrorKind.BAD_REQUEST, "malformed multipart body: " + (cause == null ? e : cause).getMessage(), false);
            }
        }

        private org.nd4j.linalg.api.ndarray.INDArray prepare(ModelWorker worker, byte[] image) throws Refused {
            try {
                return worker.classifier().bundle().preprocessing().prepare(image, "image", options.maxPixels()).pixels();
            } catch (ImageDecoder.ImageTooLargeException e) {
                throw new Refused(413, ErrorKind.TOO_LARGE, reason(e), false);
            } catch (Exception | LinkageError e) {
                throw new Refused(400, ErrorKind.BAD_IMAGE, reason(e), false);
            }
        }

        private static String reason(Throwable e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return m.startsWith("image: ") ? m.substring("image: ".length()) : m;
        }
    }

    private static int kib(long bytes) {
        return (int) Math.max(1, (bytes + 1023) >> 10);
    }
}
