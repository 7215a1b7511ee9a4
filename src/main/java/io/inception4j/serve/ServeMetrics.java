package io.inception4j.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The server's counters in Prometheus' text format (version 0.0.4), written by hand: five metric families do
 * not justify a client library and its dependencies.
 *
 * <ul>
 *   <li>{@code inception4j_requests_total{model,code}}: answered requests by HTTP status</li>
 *   <li>{@code inception4j_errors_total{model,kind}}: refused or failed requests by reason
 *       ({@link ErrorKind})</li>
 *   <li>{@code inception4j_request_duration_seconds{model}}: histogram, arrival to answer</li>
 *   <li>{@code inception4j_batch_size{model}}: histogram, requests per network call</li>
 *   <li>{@code inception4j_queue_depth{model}}: gauge, requests waiting now</li>
 *   <li>{@code inception4j_in_flight}: gauge, requests admitted and not yet answered</li>
 *   <li>{@code inception4j_http_connections}: gauge, open connections</li>
 *   <li>{@code inception4j_http_buffers_retained_bytes{pool}}: gauge, idle network buffers the HTTP server keeps
 *       for reuse ({@code direct} or {@code heap})</li>
 * </ul>
 */
public final class ServeMetrics {
    /** Why a request was not answered with a prediction; the {@code kind} label. */
    public enum ErrorKind {
        BAD_REQUEST, BAD_IMAGE, TOO_LARGE, UNAUTHORIZED, NOT_FOUND, OVERLOADED, UPLOAD_TIMEOUT, REQUEST_TIMEOUT, INTERNAL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, Histogram> batches = new ConcurrentHashMap<>();
    private final Map<String, ModelWorker> workers = new ConcurrentHashMap<>();
    private final LongAdder inFlight = new LongAdder();
    /** The HTTP server's own gauges: metric name with labels, to help text and value. */
    private final Map<String, Map.Entry<String, java.util.function.LongSupplier>> serverGauges = new java.util.TreeMap<>();

    void register(ModelWorker worker) {
        workers.put(worker.name(), worker);
    }

    void answered(String model, int status, long nanos) {
        requests.computeIfAbsent(labels("model", model, "code", String.valueOf(status)), k -> new LongAdder()).increment();
        if (model != null) latency.computeIfAbsent(model, k -> new Histogram(LATENCY_BUCKETS)).observe(nanos / 1e9);
    }

    void error(String model, ErrorKind kind) {
        errors.computeIfAbsent(labels("model", model, "kind", kind.label()), k -> new LongAdder()).increment();
    }

    void batch(String model, int size) {
        batches.computeIfAbsent(model, k -> new Histogram(BATCH_BUCKETS)).observe(size);
    }

    /** A gauge read from the HTTP server when {@code /metrics} is asked; {@code labels} as {@link #labels}. */
    synchronized void serverGauge(String name, String labels, String help, java.util.function.LongSupplier value) {
        serverGauges.put(name + labels, Map.entry(help, value));
    }

    void admitted() {
        inFlight.increment();
    }

    void done() {
        inFlight.decrement();
    }

    /** The exposition text for {@code GET /metrics}. */
    public String text() {
        StringBuilder out = new StringBuilder();
        counter(out, "inception4j_requests_total", "Answered requests by model and HTTP status.", requests);
        counter(out, "inception4j_errors_total", "Requests not answered with a prediction, by reason.", errors);
        histogram(out, "inception4j_request_duration_seconds", "Time from a request's arrival to its answer.", latency);
        histogram(out, "inception4j_batch_size", "Requests per network call.", batches);
        gauge(out, "inception4j_queue_depth", "Requests waiting for the network, per model.", ModelWorker::queueDepth);
        out.append("# HELP inception4j_in_flight Requests admitted and not yet answered.\n# TYPE inception4j_in_flight gauge\n")
                .append("inception4j_in_flight ").append(inFlight.sum()).append('\n');
        String family = null;
        synchronized (this) {
            for (var g : serverGauges.entrySet()) {
                String name = g.getKey().replaceFirst("\\{.*", "");
                if (!name.equals(family)) {
                    out.append("# HELP ").append(name).append(' ').append(g.getValue().getKey()).append("\n# TYPE ").append(name).append(" gauge\n");
                    family = name;
                }
                out.append(g.getKey()).append(' ').append(g.getValue().getValue().getAsLong()).append('\n');
            }
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, Map<String, LongAdder> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        new java.util.TreeMap<>(values).forEach((labels, v) -> out.append(name).append(labels).append(' ').append(v.sum()).append('\n'));
    }

    private void gauge(StringBuilder out, String name, String help, ToLongFunction<ModelWorker> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        new java.util.TreeMap<>(workers).forEach((model, w) ->
                out.append(name).append(labels("model", model)).append(' ').append(value.applyAsLong(w)).append('\n'));
    }

    private static void histogram(StringBuilder out, String name, String help, Map<String, Histogram> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
        new java.util.TreeMap<>(values).forEach((model, h) -> h.write(out, name, model));
    }

    /** {@code {a="x",b="y"}}, values escaped as the format asks; a null value leaves its label out. */
    static String labels(String... pairs) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) continue;
            if (b.length() > 1) b.append(',');
            b.append(pairs[i]).append("=\"").append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.length() == 1 ? "" : b.append('}').toString();
    }

    /** Cumulative buckets, a sum and a count, as Prometheus histograms are. */
    static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) counts[i] = new LongAdder();
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(v);
        }

        void write(StringBuilder out, String name, String model) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                out.append(name).append("_bucket").append(labels("model", model, "le", format(bounds[i]))).append(' ').append(cumulative).append('\n');
            }
            out.append(name).append("_bucket").append(labels("model", model, "le", "+Inf")).append(' ').append(count.sum()).append('\n');
            out.append(name).append("_sum").append(labels("model", model)).append(' ').append(format(sum.sum())).append('\n');
            out.append(name).append("_count").append(labels("model", model)).append(' ').append(count.sum()).append('\n');
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }
}
