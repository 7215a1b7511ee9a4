package io.inception4j.train;

import io.inception4j.Cli;
import io.inception4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training end to end on a handful of real flowers images. */
class TrainerTest {

    @Test
    void lossDecreasesAndTheRunDirectoryHasEverything(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 6);
        Trainer.Result r = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null));

        assertEquals(Trainer.Outcome.COMPLETED, r.outcome());
        List<Metrics.Row> rows = new Metrics(r.run().metrics()).read();
        assertEquals(6, rows.size());
        assertTrue(rows.get(5).trainLoss() < rows.get(0).trainLoss() * 0.9,
                "loss decreases: " + rows.stream().map(Metrics.Row::trainLoss).toList());

        assertEquals(1, r.skippedImages(), "the corrupt JPEG is skipped and counted");
        assertTrue(Files.readString(r.run().dir().resolve("provenance.json")).contains("\"skipped_images\" : 1"));
        for (String f : List.of("model.yaml", "data.yaml", "train.yaml", "provenance.json", "metrics.csv", "train.log",
                "learning-curves-loss.png", "learning-curves-accuracy.png", "splits/train.txt", "splits/val.txt",
                "splits/test.txt", "checkpoints/best.zip", "test-metrics.json", "test-confusion.csv", "test-confusion.png",
                "index.html", "bad-files.txt")) {
            assertTrue(Files.exists(r.run().dir().resolve(f)), f);
        }
        assertNotNull(r.test());

        // The run's page: self-contained (inline SVG and CSS, nothing fetched), with the results in it.
        String page = Files.readString(r.run().dir().resolve("index.html"));
        assertTrue(page.contains(String.format(java.util.Locale.ROOT, "%.2f%%", 100 * r.test().top1())), "test top-1 on the page");
        assertTrue(page.split("<svg", -1).length - 1 >= 4, "curves and confusion matrix as inline SVG");
        assertTrue(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("<script"), "nothing external");
        assertTrue(page.contains("daffodil") && page.contains("Provenance") && page.contains("model.yaml (resolved)"));

        // evaluate reads the same split back and gets the same numbers as the run's own test report.
        Cli ev = Cli.run("evaluate", r.run().dir().toString());
        assertEquals(0, ev.exitCode(), ev.err());
        assertTrue(ev.out().startsWith(r.test().headline()), ev.out() + " vs " + r.test().headline());
    }

    /**
     * With a bad file in the training split, the schedule counts the batches the epochs really have, and
     * metrics.csv logs the rate the optimiser applied (the graph's schedule was once built from the split with
     * its bad files, the logged one without: a poly schedule then logged a rate it never used).
     */
    @Test
    void theScheduleCountsTheRealBatchesAndTheLogShowsTheAppliedRate(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 2);
        Trainer.Result r = Trainer.start(TinyFlowers.load(exp, "train.schedule.type=poly", "train.schedule.power=1"),
                TinyFlowers.options(tmp.resolve("runs"), null, null));
        assertTrue(Files.readString(r.run().dir().resolve("splits/train.txt")).contains("broken.jpg"),
                "the corrupt JPEG is in the training split");
        var last = Checkpoints.load(r.run().checkpoints().resolve("epoch-0002.zip"), false);
        int iterations = last.graph().getConfiguration().getIterationCount();
        var adam = (org.nd4j.linalg.learning.config.Adam) ((org.deeplearning4j.nn.conf.layers.BaseLayer)
                last.graph().getOutputLayer(0).conf().getLayer()).getIUpdater();
        assertEquals(iterations, ((PolyDecaySchedule) adam.getLearningRateSchedule()).getMaxIter(),
                "poly decays over the batches fitted");
        // Its last step, iteration n-1 of n, applies lr * (1 - (n-1)/n) = lr / n.
        assertEquals(0.002 / iterations, new Metrics(r.run().metrics()).read().get(1).lr(), 1e-5 * 0.002 / iterations);
    }

    @Test
    void interruptedAndResumedRunEndsWithTheSameParametersAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        resumesExactly(tmp);
    }

    @Test
    void aRunStreamingFromDiskResumesExactly(@TempDir Path tmp) throws Exception {
        resumesExactly(tmp, "data.cache=none", "data.workers=2");
    }

    @Test
    void theInceptionV3RecipeResumesExactlyWithItsWeightAverage(@TempDir Path tmp) throws Exception {
        // TensorFlow's RMSProp, warm-up, global clipping and the moving average of the weights, all on.
        var runs = resumesExactly(tmp, "train.optimizer=rmsprop_tf", "train.lr=0.01", "train.epsilon=1.0",
                "train.grad_clip_global=1.0", "train.warmup_epochs=1", "train.ema=0.99");
        var straight = Checkpoints.load(runs[0].run().checkpoints().resolve("epoch-0002.zip"), true);
        var resumed = Checkpoints.load(runs[1].run().checkpoints().resolve("epoch-0002.zip"), true);
        assertNotNull(straight.ema(), "the checkpoint keeps the weight average");
        assertTrue(straight.ema().equalsWithEps(resumed.ema(), 1e-6), "same weight average after resuming");
        assertTrue(straight.ema().sub(straight.graph().params().reshape(straight.ema().shape())).amaxNumber().doubleValue() > 1e-6,
                "the average is not the raw weights");
        assertTrue(straight.graph().getConfiguration().toJson().contains("TfRmsProp"), "the updater is saved with the model");
    }

    /** Trains 2 epochs straight and, in another run, stops after one batch and resumes; both must end equal. */
    private static Trainer.Result[] resumesExactly(Path tmp, String... sets) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 2);
        Trainer.Result straight = Trainer.start(TinyFlowers.load(exp, sets), TinyFlowers.options(tmp.resolve("a"), null, null));

        // Stop in the middle of the first epoch, as Ctrl-C would.
        StopSignal stop = new StopSignal();
        Trainer.Result cut = Trainer.start(TinyFlowers.load(exp, sets), TinyFlowers.options(tmp.resolve("b"), stop,
                (epoch, batch, loss) -> { if (epoch == 0 && batch == 1) stop.request(); }));
        assertEquals(Trainer.Outcome.INTERRUPTED, cut.outcome());
        assertEquals(List.of("epoch-0000-batch-0001.zip"),
                Checkpoints.list(cut.run().checkpoints()).stream().map(p -> p.getFileName().toString()).toList());

        Trainer.Result resumed = Trainer.resume(cut.run().dir(), io.inception4j.config.Overrides.none(),
                TinyFlowers.options(null, null, null));
        assertEquals(Trainer.Outcome.COMPLETED, resumed.outcome());

        var a = Checkpoints.load(straight.run().checkpoints().resolve("epoch-0002.zip"), true);
        var b = Checkpoints.load(resumed.run().checkpoints().resolve("epoch-0002.zip"), true);
        assertEquals(a.graph().getConfiguration().getIterationCount(), b.graph().getConfiguration().getIterationCount());
        assertTrue(a.graph().params().equalsWithEps(b.graph().params(), 1e-6), "same parameters");
        assertTrue(a.graph().getUpdater().getStateViewArray().equalsWithEps(b.graph().getUpdater().getStateViewArray(), 1e-6),
                "same optimiser state");
        assertEquals(new Metrics(straight.run().metrics()).read().get(1).valTop1(),
                new Metrics(resumed.run().metrics()).read().get(1).valTop1());
        return new Trainer.Result[] {straight, resumed};
    }

    @Test
    void ctrlCInAnotherProcessLeavesAResumableCheckpointAndNoHalfWrittenFile(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 200);
        Path runs = tmp.resolve("runs");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main", "train", exp.toString(),
                "--runs", runs.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        Path log = null;
        for (int i = 0; i < 600 && p.isAlive(); i++) { // wait for the second epoch to start
            Thread.sleep(100);
            if (log == null && Files.isDirectory(runs)) {
                try (var dirs = Files.list(runs)) {
                    log = dirs.findFirst().map(d -> d.resolve("train.log")).orElse(null);
                }
            }
            if (log != null && Files.exists(log) && Files.readString(log).contains("epoch 1/200:")) break;
        }
        assertTrue(p.isAlive(), Files.readString(tmp.resolve("out.txt")));
        p.destroy(); // SIGTERM: the same shutdown path as Ctrl-C's SIGINT
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        Path run = log.getParent();
        assertTrue(Files.readString(log).contains("stopped on request"), Files.readString(log));
        try (var files = Files.walk(run)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "no half-written files");
        }
        List<Path> ckpts = Checkpoints.list(run.resolve("checkpoints"));
        Checkpoint last = Checkpoints.load(ckpts.get(ckpts.size() - 1), true);
        assertTrue(last.state().epoch() >= 1);

        Trainer.Result resumed = Trainer.resume(run, io.inception4j.config.Overrides.parse(List.of("train.epochs=" + (last.state().epoch() + 1))),
                TinyFlowers.options(null, null, null));
        assertEquals(Trainer.Outcome.COMPLETED, resumed.outcome());
    }

    /**
     * train --stop-after-batches N stops after N batches with a checkpoint and exit 0, mid-epoch (4 of 3-batch
     * epochs) or at an epoch's end (3: after its validation, not a batch into the next), and the run resumes.
     */
    @Test
    void stopAfterBatchesStopsThereWithACheckpointAndTheRunResumes(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 3);
        for (int n : new int[] {4, 3}) {
            Path runs = tmp.resolve("runs-" + n);
            Cli stopped = Cli.run("train", exp.toString(), "--runs", runs.toString(), "--stop-after-batches", String.valueOf(n));
            assertEquals(0, stopped.exitCode(), stopped.err());
            Path run;
            try (var dirs = Files.list(runs)) {
                run = dirs.findFirst().orElseThrow();
            }
            List<Path> ckpts = Checkpoints.list(run.resolve("checkpoints"));
            TrainingState at = Checkpoints.load(ckpts.get(ckpts.size() - 1), true).state();
            assertEquals(n == 4 ? List.of(1, 1) : List.of(1, 0), List.of(at.epoch(), at.batch()), "where the run stopped: " + at);
            assertTrue(stopped.out().contains("interrupted"), stopped.out());
            Cli resumed = Cli.run("train", "--resume", run.toString());
            assertEquals(0, resumed.exitCode(), resumed.err());
            assertTrue(resumed.out().contains("completed"), resumed.out());
        }
        Cli bad = Cli.run("train", exp.toString(), "--runs", tmp.resolve("none").toString(), "--stop-after-batches", "0");
        assertEquals(2, bad.exitCode());
        assertEquals("error: --stop-after-batches: expected a number of batches >= 1, got 0", bad.err().strip());
    }

    @Test
    void aTruncatedCheckpointIsDetected(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 1);
        Trainer.Result r = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null));
        Path ckpt = r.run().checkpoints().resolve("epoch-0001.zip");
        byte[] bytes = Files.readAllBytes(ckpt);
        Files.write(ckpt, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        var e = assertThrows(ConfigException.class, () -> Checkpoints.load(ckpt, true));
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());

        Cli resume = Cli.run("train", "--resume", r.run().dir().toString());
        assertEquals(2, resume.exitCode());
        assertTrue(resume.err().startsWith("error: " + ckpt), resume.err());
    }

    /**
     * A wrong --data is refused before a run directory exists; a run that fails once started says why in its own
     * train.log, while the console shows the error once, as the command line words it.
     */
    @Test
    void aRunThatCannotStartLeavesNothingAndOneThatFailsSaysWhyInItsLog(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 1);
        Path runs = tmp.resolve("runs"), nowhere = tmp.resolve("nowhere");
        Cli missing = Cli.run("train", exp.toString(), "--runs", runs.toString(), "--data", nowhere.toString());
        assertEquals(2, missing.exitCode(), missing.err());
        assertEquals("error: --data " + nowhere + ": no such folder", missing.err().strip());
        assertFalse(Files.exists(runs), "no run directory for a run that never started");

        // model.classes=5 against 3 folders: refused after the run directory and its log exist.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main", "train", exp.toString(),
                "--runs", runs.toString(), "--set", "model.classes=5").redirectError(tmp.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        String err = Files.readString(tmp.resolve("err.txt"));
        assertEquals(2, p.exitValue(), err);
        String expected = "model.classes is 5 but dataset 'tiny' has 3 classes; add --set model.classes=3";
        assertTrue(err.contains("error: " + expected), err);
        assertFalse(err.contains("the run stopped on an error"), "said once on the console: " + err);
        Path run;
        try (var dirs = Files.list(runs)) {
            run = dirs.findFirst().orElseThrow();
        }
        String log = Files.readString(run.resolve("train.log"));
        assertTrue(log.contains("ERROR Trainer - the run stopped on an error: " + expected), log);
    }

    /** In one JVM (a sweep, these tests) each run's train.log holds its own lines, its resumptions included. */
    @Test
    void eachRunsLogHoldsItsOwnLinesAndRecordsItsResumptions(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 1);
        Trainer.Result first = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null));
        Trainer.Result second = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null));
        Trainer.resume(first.run().dir(), io.inception4j.config.Overrides.parse(List.of("train.epochs=2")), TinyFlowers.options(null, null, null));
        String log1 = Files.readString(first.run().dir().resolve("train.log"));
        String log2 = Files.readString(second.run().dir().resolve("train.log"));
        assertEquals(2, log1.split("Trainer - training ", -1).length - 1, "its start and its resumption: " + log1);
        assertEquals(1, log1.split("Trainer - resuming " + first.run().dir(), -1).length - 1, log1);
        assertEquals(1, log2.split("Trainer - training ", -1).length - 1, "nothing of the other run: " + log2);
        assertFalse(log2.contains("resuming"), log2);
    }

    /**
     * Resumed in a new process (new JVM: nothing timed, cached or chosen carries over), a run still ends with
     * the parameters of one never stopped: against an unbroken run in this JVM, in a child JVM like the two
     * halves, and streaming from disk. A choice made by timing, as max pooling's backward once was, fails this
     * (each process times afresh), and so did a network read back before the backend was prepared (issue 26:
     * its layers got no oneDNN helpers, so the resumed half ran on other kernels; its log says how many).
     */
    @ParameterizedTest(name = "unbroken run in a child JVM: {0}, {1}")
    @CsvSource({"false, data.cache=auto", "true, data.cache=auto", "true, data.cache=none"})
    void aRunResumedInAnotherProcessEndsWithTheSameParameters(boolean straightInChild, String cache, @TempDir Path tmp)
            throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 2);
        Path straightRun;
        if (straightInChild) {
            straightRun = onlyRun(child(tmp, "train", exp.toString(), "--runs", tmp.resolve("a").toString(), "--set", cache));
        } else {
            straightRun = Trainer.start(TinyFlowers.load(exp, cache), TinyFlowers.options(tmp.resolve("a"), null, null)).run().dir();
        }
        Path run = onlyRun(child(tmp, "train", exp.toString(), "--runs", tmp.resolve("b").toString(), "--set", "train.epochs=1",
                "--set", cache));
        child(tmp, "train", "--resume", run.toString(), "--set", "train.epochs=2");

        String helpers = helpersLine(straightRun);
        assertTrue(helpers.matches("[1-9][0-9]* of [0-9]+"), "the layers run on oneDNN: " + helpers);
        assertEquals(helpers, helpersLine(run), "the resumed half runs on the same kernels");
        var a = Checkpoints.load(straightRun.resolve("checkpoints/epoch-0002.zip"), true);
        var b = Checkpoints.load(run.resolve("checkpoints/epoch-0002.zip"), true);
        double apart = a.graph().params().sub(b.graph().params()).amaxNumber().doubleValue();
        assertTrue(a.graph().params().equalsWithEps(b.graph().params(), 1e-6), "same parameters; largest difference " + apart);
        assertTrue(a.graph().getUpdater().getStateViewArray().equalsWithEps(b.graph().getUpdater().getStateViewArray(), 1e-6),
                "same optimiser state");
    }

    /** "N of M" from the newest "layer helpers attached to N of M layers" in a run's train.log. */
    private static String helpersLine(Path run) throws IOException {
        var m = java.util.regex.Pattern.compile("layer helpers attached to ([0-9]+ of [0-9]+) layers")
                .matcher(Files.readString(run.resolve("train.log")));
        String last = null;
        while (m.find()) last = m.group(1);
        assertNotNull(last, "train.log of " + run + " names the layer helpers");
        return last;
    }

    private static Path onlyRun(Path runs) throws IOException {
        try (var dirs = Files.list(runs)) {
            return dirs.findFirst().orElseThrow();
        }
    }

    /** Runs the command line in a new JVM (plain java, as a user's own launcher would) and returns --runs. */
    private static Path child(Path tmp, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("child-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "finished: " + String.join(" ", args));
        assertEquals(0, p.exitValue(), String.join(" ", args) + "\n" + Files.readString(out));
        int runs = List.of(args).indexOf("--runs");
        return runs < 0 ? null : Path.of(args[runs + 1]);
    }
}
