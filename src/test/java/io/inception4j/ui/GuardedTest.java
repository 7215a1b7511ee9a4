package io.inception4j.ui;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardedTest {
    @Test
    void aFailingWatcherIsSwitchedOffInsteadOfStoppingTraining() {
        AtomicInteger calls = new AtomicInteger();
        Guarded g = new Guarded(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                if (calls.incrementAndGet() == 2) throw new IllegalStateException("Stream Closed"); // as MapDB after its shutdown hook
            }
        });
        g.iterationDone(null, 0, 0);
        assertFalse(g.failed());
        g.iterationDone(null, 1, 0); // must not throw
        assertTrue(g.failed());
        g.iterationDone(null, 2, 0);
        assertEquals(2, calls.get(), "not called again once it failed");
    }
}
