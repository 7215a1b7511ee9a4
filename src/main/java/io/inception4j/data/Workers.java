package io.inception4j.data;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Runs one task per item on a fixed number of daemon threads, with a progress bar for long lists. */
final class Workers {
    private Workers() {}

    static <T> void forEach(List<T> items, int threads, String label, Consumer<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), daemon("inception4j-" + label.replace(' ', '-')));
        ProgressBar bar = ProgressBar.stderr(label, items.size());
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> futures = items.stream().map(item -> pool.submit(() -> {
                task.accept(item);
                bar.update(done.incrementAndGet(), "");
            })).<Future<?>>map(f -> f).toList();
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(label + " failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
