package io.inception4j.graph.layers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses, per pooling call signature (op, shape, window), between libnd4j's oneDNN kernel and its own loops
 * by timing both the first time the signature is met, twice each, alternating; the faster is remembered for
 * the rest of the process. Both kernels compute the same values, so the choice changes speed only; it is
 * logged once per signature at debug level ({@code JAVA_OPTS="-Xmx8g -Dinception4j.log.level=debug"}: at
 * info it would reach the stderr of every predict command). This is cuDNN's "benchmark mode" idea: which
 * kernel wins depends on the shape and the machine, not on anything a fixed rule could know
 * ({@link FastMaxPool} has the measurements).
 */
final class PoolKernelChoice {
    private static final Logger log = LoggerFactory.getLogger(PoolKernelChoice.class);
    /** Beyond this many signatures (a long-lived process fed ever-new batch sizes) stop timing: use oneDNN. */
    private static final int MAX_SIGNATURES = 512;
    private static final Map<String, Boolean> oneDnnFor = new ConcurrentHashMap<>();
    /** For tests: a fixed kernel instead of timing (null: time). */
    private static volatile Boolean forced;

    /** Runs a pooling op on the kernel chosen for {@code signature}; {@code op} takes "allow oneDNN". */
    interface Op {
        void run(boolean oneDnn);
    }

    private PoolKernelChoice() {}

    static void run(String signature, Op op) {
        Boolean fixed = forced != null ? forced : oneDnnFor.get(signature);
        if (fixed == null && oneDnnFor.size() >= MAX_SIGNATURES) fixed = true;
        if (fixed != null) {
            op.run(fixed);
            return;
        }
        long oneDnn = Long.MAX_VALUE, own = Long.MAX_VALUE;
        for (int round = 0; round < 2; round++) {
            oneDnn = Math.min(oneDnn, nanos(op, true));
            own = Math.min(own, nanos(op, false));
        }
        boolean choice = oneDnn <= own;
        if (oneDnnFor.putIfAbsent(signature, choice) == null && log.isDebugEnabled()) {
            log.debug("{}: {} (timed: oneDNN {} ms, libnd4j's own loops {} ms)", signature, choice ? "oneDNN" : "libnd4j's own loops",
                    String.format("%.1f", oneDnn / 1e6), String.format("%.1f", own / 1e6));
        }
    }

    private static long nanos(Op op, boolean oneDnn) {
        long start = System.nanoTime();
        op.run(oneDnn);
        return System.nanoTime() - start;
    }

    /** Tests: always oneDNN (true), always libnd4j's own loops (false), or time again (null). */
    static void force(Boolean oneDnn) {
        forced = oneDnn;
    }
}
