package io.inception4j.sweep;

import io.inception4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTableTest {
    static final List<String> PATHS = List.of("train.lr", "model.aux_weight");

    @Test
    void rowsSurviveARestart(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("candidates.csv");
        SweepTable t = new SweepTable(f, PATHS);
        var a = new SweepTable.Row(0, Map.of("train.lr", "0.01", "model.aux_weight", "0.3"), SweepTable.Status.COMPLETED, 0.75, 3, 61.5, "", "runs/a");
        var b = new SweepTable.Row(1, Map.of("train.lr", "0.1", "model.aux_weight", "0.0"), SweepTable.Status.FAILED, null, 1, 2.0,
                "diverged: loss NaN, at batch 3", "runs/b");
        t.put(a);
        t.put(b);
        List<SweepTable.Row> again = new SweepTable(f, PATHS).rows();
        assertEquals(2, again.size());
        assertEquals(0.75, again.get(0).score());
        assertEquals(a.values(), again.get(0).values());
        assertEquals(b.reason(), again.get(1).reason());
        assertEquals(null, again.get(1).score());
    }

    @Test
    void aDamagedTableIsOneErrorNamingItsLine(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("candidates.csv");
        String header = "candidate,train.lr,model.aux_weight,score,epochs,status,seconds,reason,run";
        Files.writeString(f, header + "\n0,0.01,0.3,0.7500,3,completed,61.5,,runs/a\n1,0.1,0.0,,1,exploded,2.0,,runs/b\n");
        assertEquals(f + ":3: expected a row of " + header + ", got '1,0.1,0.0,,1,exploded,2.0,,runs/b'",
                assertThrows(ConfigException.class, () -> new SweepTable(f, PATHS)).getMessage());
        Files.writeString(f, header + "\n0,0.01\n");
        assertTrue(assertThrows(ConfigException.class, () -> new SweepTable(f, PATHS)).getMessage().startsWith(f + ":2: expected a row of"));
        Files.writeString(f, "");
        assertEquals(f + ":1: expected the header " + header, assertThrows(ConfigException.class, () -> new SweepTable(f, PATHS)).getMessage());
        Files.writeString(f, header.replace("model.aux_weight", "train.batch_size") + "\n");
        assertEquals(f + ":1: expected the header " + header, assertThrows(ConfigException.class, () -> new SweepTable(f, PATHS)).getMessage());
    }
}
