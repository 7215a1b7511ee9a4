package io.inception4j.cli;

import io.inception4j.train.StopSignal;

/**
 * Ctrl-C for long commands: while installed, SIGINT asks the work to stop at its next safe point (a batch
 * boundary, where a checkpoint is written) and holds the JVM's exit until the work says it has stopped.
 */
final class Interrupts implements AutoCloseable {
    private final Thread hook;

    private Interrupts(StopSignal stop) {
        this.hook = new Thread(() -> {
            stop.request();
            try {
                stop.awaitStopped(600);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "inception4j-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static Interrupts stopOnCtrlC(StopSignal stop) {
        return new Interrupts(stop);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C arrived: the hook is running and will return once the work has stopped
        }
    }
}
