package io.inception4j.cli;

import io.inception4j.data.BatchIterator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl-C leaves no stack trace from DL4J's prefetch thread; real failures on other threads still show. */
class UncaughtExceptionsTest {

    private static String stderrOf(Runnable r) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBatchInterruptedAtShutdownIsSilent() {
        // What AsyncMultiDataSetIterator's thread throws: our exception wrapped in a RuntimeException.
        RuntimeException fromPrefetch = new RuntimeException(new BatchIterator.Interrupted(new InterruptedException()));
        assertEquals("", stderrOf(() -> Main.uncaught(new Thread("AMDSI prefetch thread"), fromPrefetch)));
    }

    @Test
    void anyOtherUncaughtExceptionIsPrinted() {
        String err = stderrOf(() -> Main.uncaught(new Thread("worker"), new IllegalStateException("disk on fire")));
        assertTrue(err.startsWith("Exception in thread \"worker\" java.lang.IllegalStateException: disk on fire"), err);
    }
}
