package io.inception4j.serve;

import io.inception4j.inference.Classifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One bundle's network and the only thread that runs it (a DL4J graph is not safe for concurrent use): requests
 * wait in a bounded queue; the batcher takes the first, then whatever else arrives within the batching wait, up
 * to the batch size, stacks them and runs one network call for all. While a call runs, new requests queue up,
 * so under load batches fill by themselves and the wait costs nothing. A full queue refuses at once (the server
 * answers 503): memory never grows with the load.
 */
public final class ModelWorker implements AutoCloseable {
    /** A preprocessed image waiting for the network; {@code result} completes with its top {@code k}. */
    record Job(INDArray input, int k, long deadlineNanos, CompletableFuture<List<Classifier.Prediction>> result) {}

    /** A request whose deadline passed while it waited: it is never computed. */
    static final class Expired extends RuntimeException {
        Expired() {
            super("the request waited past its deadline", null, false, false);
        }
    }

    private final String name;
    private final Classifier classifier;
    private final ArrayBlockingQueue<Job> queue;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final ServeMetrics metrics;
    private final Thread thread;
    private volatile boolean ready, stopping;

    ModelWorker(String name, Classifier classifier, ServeOptions options, ServeMetrics metrics) {
        this.name = name;
        this.classifier = classifier;
        this.queue = new ArrayBlockingQueue<>(options.queueSize());
        this.maxBatch = options.maxBatch();
        this.maxWaitNanos = options.maxWait().toNanos();
        this.metrics = metrics;
        this.thread = new Thread(this::run, "inception4j-serve-" + name);
        this.thread.setDaemon(true);
    }

    public String name() {
        return name;
    }

    public Classifier classifier() {
        return classifier;
    }

    /** Loaded and warmed: it has run a full batch once, so the first request does not pay for allocation. */
    public boolean ready() {
        return ready;
    }

    long queueDepth() {
        return queue.size();
    }

    /** Runs a batch of zeros of each size the batcher will use most (1 and full), then starts batching. */
    void start() {
        var pre = classifier.bundle().preprocessing();
        for (int n : new int[] {1, maxBatch}) classifier.probabilities(Nd4j.zeros(DataType.FLOAT, n, 3, pre.height(), pre.width()));
        ready = true;
        thread.start();
    }

    /** Queues a job; false when the queue is full (or the worker is stopping): the caller sheds it. */
    boolean offer(Job job) {
        return !stopping && queue.offer(job);
    }

    private void run() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (true) {
            Job first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                if (stopping) break;
                continue;
            }
            batch.clear();
            batch.add(first);
            long waitUntil = System.nanoTime() + maxWaitNanos;
            try {
                while (batch.size() < maxBatch) {
                    if (queue.drainTo(batch, maxBatch - batch.size()) > 0) continue;
                    long left = waitUntil - System.nanoTime();
                    if (left <= 0) break;
                    Job next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next != null) batch.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // run what we have, then leave
            }
            runBatch(batch);
            if (Thread.currentThread().isInterrupted()) break;
        }
        Job left;
        while ((left = queue.poll()) != null) left.result().completeExceptionally(new Expired());
    }

    private void runBatch(List<Job> batch) {
        long now = System.nanoTime();
        List<Job> live = new ArrayList<>(batch.size());
        for (Job j : batch) {
            if (now - j.deadlineNanos() > 0 || j.result().isDone()) j.result().completeExceptionally(new Expired());
            else live.add(j);
        }
        if (live.isEmpty()) return;
        metrics.batch(name, live.size());
        try {
            INDArray stacked = live.size() == 1 ? live.get(0).input() : Nd4j.concat(0, live.stream().map(Job::input).toArray(INDArray[]::new));
            INDArray probabilities = classifier.probabilities(stacked);
            for (int i = 0; i < live.size(); i++) {
                Job j = live.get(i);
                j.result().complete(classifier.topK(probabilities.getRow(i, true), j.k()).get(0));
            }
        } catch (RuntimeException | LinkageError e) {
            for (Job j : live) j.result().completeExceptionally(e);
        }
    }

    /** Stops taking requests, answers those already queued, and waits up to {@code grace} for the thread. */
    public void stop(Duration grace) {
        stopping = true;
        ready = false;
        try {
            thread.join(Math.max(1, grace.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) thread.interrupt();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
