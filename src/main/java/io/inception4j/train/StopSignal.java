package io.inception4j.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop training at the next batch boundary (Ctrl-C, or a test), and the trainer's answer that
 * it has saved its checkpoint and let go.
 */
public final class StopSignal {
    private volatile boolean requested;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }

    void acknowledge() {
        stopped.countDown();
    }

    /** Waits until the trainer has stopped (after saving), at most {@code seconds}. */
    public boolean awaitStopped(long seconds) throws InterruptedException {
        return stopped.await(seconds, TimeUnit.SECONDS);
    }
}
