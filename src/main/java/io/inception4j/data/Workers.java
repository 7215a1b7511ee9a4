package io.inception4j.data;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs one task per item on a fixed number of daemon threads, with a progress bar for long lists. The threads
 * take the items by position, one at a time: nothing is made per item up front (a million futures, each
 * holding its item, once cost hundreds of megabytes of heap while a large set's headers were checked).
 */
final class Workers {
    private Workers() {}

    static <T> void forEach(List<T> items, int threads, String label, Consumer<T> task) {
        int n = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(n, daemon("inception4j-" + label.replace(' ', '-')));
        ProgressBar bar = ProgressBar.stderr(label, items.size());
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        try {
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int w = 0; w < n; w++) {
                workers.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < items.size(); ) {
                        task.accept(items.get(i));
                        bar.update(done.incrementAndGet(), "");
                    }
                }));
            }
            for (Future<?> f : workers) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            next.set(items.size()); // the other threads stop at their next item
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
