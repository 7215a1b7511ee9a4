package io.inception4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples this process's resident set size (VmRSS) four times a second while a benchmark runs. The peak
 * (VmHWM) depends on when the garbage collector happens to free ND4J's off-heap buffers, and repeat runs of
 * the same case differed by more than the 10% the data pipeline's flat-memory target allows; the median of
 * the second half of the samples is the memory a long run settles at (results/data/README.md).
 */
final class RssSampler implements AutoCloseable {
    private final List<Long> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    RssSampler() {
        thread = new Thread(() -> {
            while (running) {
                long kb = rssKb();
                if (kb > 0) synchronized (samples) { samples.add(kb); }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "inception4j-rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Median RSS in MiB over the second half of the samples so far, or -1 without any. */
    long steadyMiB() {
        List<Long> half;
        synchronized (samples) {
            half = new ArrayList<>(samples.subList(samples.size() / 2, samples.size()));
        }
        if (half.isEmpty()) return -1;
        half.sort(null);
        return half.get(half.size() / 2) / 1024;
    }

    int count() {
        synchronized (samples) {
            return samples.size();
        }
    }

    private static long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
