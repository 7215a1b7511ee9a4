package io.inception4j.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProgressBarTest {
    /** Worker threads report counts out of order (Workers.forEach); the log must not go back from 60% to 58%. */
    @Test
    void aLateSmallerCountDoesNotMoveTheBarBack() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "checking images", 100);
        for (long done : new long[]{1, 30, 61, 58, 59, 70, 100}) bar.update(done, "");
        List<String> counts = bytes.toString(StandardCharsets.UTF_8).lines()
                .map(l -> l.replaceAll(".* (\\d+)/100.*", "$1")).toList();
        assertEquals(List.of("1", "30", "61", "70", "100"), counts);
    }
}
