package io.inception4j.graph.layers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses between libnd4j's oneDNN kernel and its own loops for max pooling.
 *
 * <p>Forward, per call signature (op, shape, window): by timing both the first time the signature is met, twice
 * each, alternating; the faster is remembered for the rest of the process and logged once at debug level
 * ({@code JAVA_OPTS="-Xmx8g -Dinception4j.log.level=debug"}: at info it would reach the stderr of every predict
 * command). This is cuDNN's "benchmark mode" idea: which kernel wins depends on the shape and the machine
 * ({@link FastMaxPool} has the measurements). It is safe because a maximum is exact: both kernels give the
 * same bits.
 *
 * <p>Backward is not timed, because there the kernels differ in the last bits: an input that is the maximum of
 * several overlapping windows sums their gradients, each kernel in its own order (4.8e-7 to 9.5e-7 apart on
 * ReLU outputs). A choice by timing made training depend on the machine's load, and a run resumed in a new
 * process could choose differently from the one it continues and end elsewhere (TrainerTest's exact-resume
 * test failed when run first in its JVM). So backward follows a fixed rule by plane size, the same in every
 * process: oneDNN below 128 x 128, where the two are within 20% of each other and oneDNN is ahead in 10 of the
 * 14 cases measured (planes 7 to 111, same and valid padding); libnd4j's loops from there on,
 * where oneDNN's backward, which reruns its slow forward, falls behind (147 x 147: 616 ms against 446 ms).
 * Those figures come from one throwaway measurement (each kernel forced in turn on FastMaxPoolLayer, batch 16
 * x 64 channels, 3x3 stride 2, planes 7 to 147, best of 7; the 2-core machine, nothing else running).
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

    /** Planes from this many pixels up run backward on libnd4j's own loops (see the class comment). */
    static final long OWN_LOOPS_FROM_PIXELS = 128 * 128;

    /** Runs a backward pooling op on the kernel the fixed rule gives for a {@code planePixels} input plane. */
    static void runBackward(long planePixels, Op op) {
        op.run(forced != null ? forced : planePixels < OWN_LOOPS_FROM_PIXELS);
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
