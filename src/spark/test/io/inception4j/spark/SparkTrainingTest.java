package io.inception4j.spark;

import io.inception4j.Cli;
import io.inception4j.data.Sample;
import io.inception4j.train.Metrics;
import io.inception4j.train.TinyFlowers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --spark local[2] with each of dl4j-spark's training masters, on a handful of real flowers images. */
class SparkTrainingTest {

    @ParameterizedTest
    @ValueSource(strings = {"parameter_averaging", "shared_gradients"})
    void eachTrainingMasterTrainsIntoAnOrdinaryRunDirectory(String mode, @TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 3);
        Path runs = tmp.resolve("runs");
        Cli train = Cli.run("train", exp.toString(), "--runs", runs.toString(), "--spark", "local[2]",
                "--set", "train.distributed.mode=" + mode, "--set", "train.distributed.averaging_frequency=1",
                "--set", "train.distributed.port=" + (mode.equals("shared_gradients") ? 40200 + (int) (ProcessHandle.current().pid() % 500) : 40123));
        assertEquals(0, train.exitCode(), train.out() + train.err());
        Path run;
        try (var dirs = Files.list(runs)) {
            run = dirs.findFirst().orElseThrow();
        }
        List<Metrics.Row> rows = new Metrics(run.resolve("metrics.csv")).read();
        assertEquals(3, rows.size());
        for (Metrics.Row r : rows) assertTrue(Double.isFinite(r.trainLoss()) && r.trainLoss() > 0, "loss reported: " + r.trainLoss());
        String provenance = Files.readString(run.resolve("provenance.json"));
        assertTrue(provenance.contains(mode.equals("shared_gradients") ? "SharedTrainingMaster" : "ParameterAveragingTrainingMaster"), provenance);
        for (String f : List.of("test-metrics.json", "checkpoints/best.zip", "checkpoints/epoch-0003.zip", "index.html")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        assertFalse(Files.exists(run.resolve("spark-batches")), "the batch lists are removed at the end");
        String stats = Files.readString(run.resolve("spark-stats.tsv"));
        assertTrue(stats.lines().filter(l -> l.contains("epoch_wall")).count() == 3, stats);
        if (mode.equals("parameter_averaging")) { // the SharedTrainingMaster of dl4j-spark M2 collects no statistics
            assertTrue(stats.contains("ParameterAveragingWorkerFitTimesMs"), "DL4J's phase timings are recorded: " + stats);
            // Each batch is fitted once per epoch: one minibatch event per batch, not counted again through the
            // nested statistics (3 epochs; the tiny set has 3 batches of 6, or fewer when DL4J re-batches them).
            long events = stats.lines().filter(l -> l.contains("\tWorkerFlatMapProcessMiniBatchTimesMs\t"))
                    .mapToLong(l -> Long.parseLong(l.split("\t")[2])).sum();
            assertTrue(events >= 3 && events <= 9, "minibatch events over 3 epochs: " + events + "\n" + stats);
        }

        // The trained network is the trainer's: it exports and predicts like any run's.
        Path bundle = tmp.resolve("model.zip");
        assertEquals(0, Cli.run("export", run.toString(), "-o", bundle.toString()).exitCode());
        Cli predict = Cli.run("predict", bundle.toString(), tmp.resolve("images/daffodil/image_0001.jpg").toString());
        assertEquals(0, predict.exitCode(), predict.err());

        // The parameters moved away from the initialisation: the workers' training reached the driver's network.
        Path first = run.resolve("checkpoints/epoch-0001.zip"), last = run.resolve("checkpoints/epoch-0003.zip");
        var a = io.inception4j.train.Checkpoints.load(first, false).graph().params(); // keep_last 5 keeps epoch 1
        var b = io.inception4j.train.Checkpoints.load(last, false).graph().params();
        assertTrue(a.sub(b).amaxNumber().doubleValue() > 1e-4, "parameters change between epochs");
    }

    @Test
    void aDamagedBatchListIsOneClearError() {
        IOException e = assertThrows(IOException.class, () -> read("# epoch 1 batch x\n0\t/a.jpg\n"));
        assertTrue(e.getMessage().contains("list.txt:1: expected a whole number"), e.getMessage());
        e = assertThrows(IOException.class, () -> read("# epoch 1 batch 2\n0 /a.jpg\n"));
        assertTrue(e.getMessage().contains("list.txt:2: expected 'label<TAB>path'"), e.getMessage());
        e = assertThrows(IOException.class, () -> read("PK\u0003\u0004 not a list"));
        assertTrue(e.getMessage().contains("list.txt:1: expected '# epoch E batch B'"), e.getMessage());
        e = assertThrows(IOException.class, () -> read("# epoch 1 batch 2\n"));
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
    }

    @Test
    void batchListsRoundTrip(@TempDir Path tmp) throws Exception {
        List<List<Sample>> batches = List.of(List.of(new Sample(tmp.resolve("a b.jpg"), 3), new Sample(tmp.resolve("c.jpg"), 0)),
                List.of(new Sample(tmp.resolve("d.jpg"), 16)));
        List<String> uris = BatchLists.write(tmp.resolve("lists"), 7, batches);
        assertEquals(2, uris.size());
        BatchLists.Batch b = BatchLists.read(Files.newInputStream(Path.of(java.net.URI.create(uris.get(0)))), "x");
        assertEquals(7, b.epoch());
        assertEquals(0, b.index());
        assertEquals(batches.get(0), b.samples());
    }

    private static BatchLists.Batch read(String text) throws IOException {
        return BatchLists.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "list.txt");
    }
}
