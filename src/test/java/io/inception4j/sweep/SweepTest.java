package io.inception4j.sweep;

import io.inception4j.Cli;
import io.inception4j.config.Experiment;
import io.inception4j.config.Overrides;
import io.inception4j.train.TinyFlowers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CI-sized sweep on a few flowers images: 4 candidates, one failing on purpose, interrupted and resumed. */
class SweepTest {

    static Path sweepFile(Path dir, Path experiment, String space) throws Exception {
        Path f = dir.resolve("sweep.yaml");
        Files.writeString(f, """
                name: tiny-sweep
                experiment: %s
                set: [train.epochs=1]
                search: grid
                candidates: 4
                seed: 3
                space:
                %s
                """.formatted(experiment, space));
        return f;
    }

    @Test
    void aSweepRunsRecordsAFailureResumesAndWritesARunnableBestExperiment(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp.resolve("setup"), 1);
        Path sweep = sweepFile(tmp, exp, """
                  train.lr: {choice: [0.002, 1000000.0]}      # the second diverges: a candidate that fails
                  model.aux_weight: {choice: [0.0, 0.3]}
                """);
        String[] where = {"--sweeps", tmp.resolve("sweeps").toString(), "--runs", tmp.resolve("runs").toString()};

        // First two candidates only, as if the sweep had been stopped there.
        Cli first = Cli.run(concat(new String[] {"sweep", sweep.toString(), "--set", "sweep.candidates=2"}, where));
        assertEquals(0, first.exitCode(), first.err());
        Path dir = tmp.resolve("sweeps/tiny-sweep");
        assertEquals(3, Files.readAllLines(dir.resolve("candidates.csv")).size(), "header + 2 candidates");
        long runsAfterFirst;
        try (var runs = Files.list(tmp.resolve("runs/tiny-sweep"))) {
            runsAfterFirst = runs.count();
        }

        Cli second = Cli.run(concat(new String[] {"sweep", sweep.toString()}, where));
        assertEquals(0, second.exitCode(), second.err());
        List<String> rows = Files.readAllLines(dir.resolve("candidates.csv"));
        assertEquals("candidate,train.lr,model.aux_weight,score,epochs,status,seconds,reason,run", rows.get(0));
        assertEquals(5, rows.size(), String.join("\n", rows));
        try (var runs = Files.list(tmp.resolve("runs/tiny-sweep"))) {
            assertEquals(runsAfterFirst + 2, runs.count(), "finished candidates were not rerun");
        }
        assertTrue(rows.stream().anyMatch(r -> r.contains(",failed,") && r.contains("loss diverged")), String.join("\n", rows));
        assertTrue(rows.stream().filter(r -> r.contains(",completed,")).count() >= 2);
        assertTrue(second.out().contains("best: candidate"), second.out());
        assertTrue(Files.exists(dir.resolve("score-vs-train.lr.png")));

        // The sweep's page ranks the trials and links each to its run's page.
        String page = Files.readString(dir.resolve("index.html"));
        try (var runs = Files.list(tmp.resolve("runs/tiny-sweep"))) {
            for (Path run : runs.toList()) {
                String link = dir.toAbsolutePath().normalize().relativize(run.toAbsolutePath().normalize().resolve("index.html")).toString();
                assertTrue(page.contains("href=\"" + link + "\""), "links " + link);
                assertTrue(Files.exists(dir.resolve(link)), "the linked page exists: " + link);
            }
        }
        assertTrue(page.contains("<svg"), "score plots inline");

        // The best experiment runs as is with train (its configs resolve; the budget override is not carried).
        Experiment best = Experiment.load(dir.resolve("best-experiment.yaml"), Overrides.none());
        assertEquals(0.002, best.train().config().lr(), 1e-12);
    }

    @Test
    void badSweepFilesGetPreciseErrors(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp.resolve("setup"), 1);
        Cli unknown = Cli.run("sweep", sweepFile(tmp, exp, "  train.lrr: {uniform: [0.1, 0.2]}").toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().matches("(?s)error: .*sweep.yaml:8:3: space.train.lrr: 'train.lrr' cannot take 0.1: .*unknown key 'lrr' \\(did you mean 'lr'\\?\\).*"), unknown.err());

        Cli empty = Cli.run("sweep", sweepFile(tmp, exp, "  train.lr: {uniform: [0.2, 0.1]}").toString());
        assertEquals(2, empty.exitCode());
        assertTrue(empty.err().contains("sweep.yaml:8:14: space.train.lr.uniform: expected [low, high] with low < high, got [0.2, 0.1]"), empty.err());

        Cli wrongType = Cli.run("sweep", sweepFile(tmp, exp, "  train.batch_size: {choice: [8, big]}").toString());
        assertEquals(2, wrongType.exitCode());
        assertTrue(wrongType.err().contains("space.train.batch_size: 'train.batch_size' cannot take big:"), wrongType.err());
        assertTrue(wrongType.err().contains("expected a whole number, got the text 'big'"), wrongType.err());
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
