package io.inception4j.train;

import io.inception4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @Test
    void rowsRoundTripAndTruncate(@TempDir Path tmp) throws IOException {
        Metrics m = new Metrics(tmp.resolve("metrics.csv"));
        m.append(new Metrics.Row(1, 2.5, 0.25, 0.5, 0.01, 20.0, 30.0));
        m.append(new Metrics.Row(2, Double.NaN, 0.5, 0.75, 0.0094, 21.0, 29.5));
        List<Metrics.Row> rows = m.read();
        assertEquals(2, rows.size());
        assertEquals(new Metrics.Row(1, 2.5, 0.25, 0.5, 0.01, 20.0, 30.0), rows.get(0));
        assertTrue(Double.isNaN(rows.get(1).trainLoss()));
        m.truncateAfter(1);
        assertEquals(List.of(rows.get(0)), m.read());
        assertEquals(Metrics.HEADER + "\n" + rows.get(0).csv() + "\n", Files.readString(tmp.resolve("metrics.csv")));
    }

    @Test
    void aDamagedFileIsOneErrorNamingItsLine(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.csv");
        String good = new Metrics.Row(1, 2.5, 0.25, 0.5, 0.01, 20.0, 30.0).csv();
        Files.writeString(f, Metrics.HEADER + "\n" + good + "\n1,abc,0.1\n");
        assertEquals(f + ":3: expected a row of " + Metrics.HEADER + ", got '1,abc,0.1'",
                assertThrows(ConfigException.class, () -> new Metrics(f).read()).getMessage());
        Files.writeString(f, Metrics.HEADER + "\n" + good + ",7\n");
        assertTrue(assertThrows(ConfigException.class, () -> new Metrics(f).read()).getMessage().startsWith(f + ":2: expected a row of"));
        Files.writeString(f, "epoch,loss\n");
        assertEquals(f + ":1: expected the header " + Metrics.HEADER, assertThrows(ConfigException.class, () -> new Metrics(f).read()).getMessage());
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertEquals(f + ": a metrics file must be UTF-8 text", assertThrows(ConfigException.class, () -> new Metrics(f).read()).getMessage());
    }

    @Test
    void anOversizedFileIsRefusedBeforeReading(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.csv");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), Metrics.MAX_BYTES); // sparse: no disk used
        }
        String msg = assertThrows(ConfigException.class, () -> new Metrics(f).read()).getMessage();
        assertEquals(f + ": 16,777,217 bytes is too large for a metrics file (the limit is 16,777,216 bytes)", msg);
    }
}
