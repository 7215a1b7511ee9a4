package io.inception4j.archive;

import io.inception4j.config.ConfigException;
import io.inception4j.inference.Bundle;
import io.inception4j.train.Checkpoints;
import io.inception4j.train.TinyFlowers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that go wrong in real life or on purpose: zip bombs in every place a bundle or checkpoint has, headers
 * that lie about sizes, and a training process killed with kill -9 at random moments, checkpoint writes
 * included. Every bomb is generated here, never committed.
 */
class HostileFilesTest {
    private static final long GIB = 1L << 30;

    /** A real network's configuration: dense 20 -> 10 -> 3 (243 parameters). */
    static String configJson(int hidden, int in) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(in).nOut(hidden).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build();
        return conf.toJson();
    }

    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** A zip with the given entries, in order; bodies are streamed (a bomb never exists in memory). */
    static Path zip(Path file, List<String> names, List<Body> bodies) throws IOException {
        return zip(file, names, bodies, Deflater.BEST_SPEED);
    }

    static Path zip(Path file, List<String> names, List<Body> bodies, int level) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.setLevel(level);
            for (int i = 0; i < names.size(); i++) {
                z.putNextEntry(new ZipEntry(names.get(i)));
                bodies.get(i).write(z);
                z.closeEntry();
            }
        }
        return file;
    }

    static Body zeros(long n) {
        return out -> {
            byte[] chunk = new byte[1 << 20];
            for (long done = 0; done < n; done += chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, n - done));
        };
    }

    static Body text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    /** An ND4J array header (shape [1, n] as Nd4j.write writes it) followed by {@code then}. */
    static Body arrayHeader(long n, Body then) {
        return out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.writeUTF("LONG_SHAPE");
            d.writeLong(8);
            d.writeUTF("LONG");
            for (long v : new long[] {2, 1, n, n, 1, 0, 1, 99}) d.writeLong(v);
            d.writeUTF("MIXED_DATA_TYPES");
            d.writeLong(n);
            d.writeUTF("FLOAT");
            d.flush();
            then.write(out);
        };
    }

    private static void refusedQuickly(Path f, String expected) {
        long t0 = System.nanoTime();
        var e = assertThrows(ConfigException.class, () -> Bundle.read(f));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 2, f.getFileName() + " took " + secs + " s");
        assertTrue(e.getMessage().startsWith(f + ": not a readable bundle: ") && e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void bombsAndLyingHeadersAreRefusedFastInEveryPlace(@TempDir Path tmp) throws IOException {
        String config = configJson(10, 20);
        refusedQuickly(zip(tmp.resolve("config-bomb.bundle"), List.of("configuration.json"), List.of(zeros(GIB))),
                "entry configuration.json holds more than the 33,554,432 bytes it may");
        refusedQuickly(zip(tmp.resolve("coefficients-bomb.bundle"), List.of("configuration.json", "coefficients.bin"),
                List.of(text(config), zeros(GIB))), "entry coefficients.bin has an unknown array format ''");
        refusedQuickly(zip(tmp.resolve("header-then-bomb.bundle"), List.of("configuration.json", "coefficients.bin"),
                List.of(text(config), arrayHeader(243, zeros(GIB)))), "entry coefficients.bin has bytes after its last value");
        refusedQuickly(zip(tmp.resolve("other-bomb.bundle"), List.of("configuration.json", "preprocessor.bin"),
                List.of(text(config), zeros(GIB))), "entry preprocessor.bin holds more than the 1,048,576 bytes it may");
        // A configuration that declares 200 million parameters, in a file of a few kilobytes.
        refusedQuickly(zip(tmp.resolve("huge-config.bundle"), List.of("configuration.json", "coefficients.bin"),
                List.of(text(configJson(10_000, 20_000)), arrayHeader(200_040_003L, zeros(GIB)))),
                "entry coefficients.bin declares 800,160,012 bytes of values, but the whole file holds");
        refusedQuickly(zip(tmp.resolve("lying-header.bundle"), List.of("configuration.json", "coefficients.bin"),
                List.of(text(config), arrayHeader(4_000_000_000L, zeros(16)))), "entry coefficients.bin declares 4,000,000,000 values; the network has 243");
        refusedQuickly(zip(tmp.resolve("order.bundle"), List.of("coefficients.bin", "configuration.json"),
                List.of(arrayHeader(243, zeros(972)), text(config))), "configuration.json must come before coefficients.bin");
    }

    @Test
    void aBombBundleIsRefusedByARealProcessInUnder2sAndUnder200MB(@TempDir Path tmp) throws Exception {
        Path bomb = zip(tmp.resolve("bomb.bundle"), List.of("configuration.json", "coefficients.bin"),
                List.of(text(configJson(10, 20)), zeros(5 * GIB / 2)), Deflater.BEST_COMPRESSION);
        assertTrue(Files.size(bomb) < 5 << 20, "a small file: " + Files.size(bomb));
        Path image = tmp.resolve("x.png");
        Files.write(image, new byte[] {1});
        Child missing = Child.run(List.of("predict", tmp.resolve("missing.bundle").toString(), image.toString()));
        Child bombed = Child.run(List.of("predict", bomb.toString(), image.toString()));
        assertEquals(2, bombed.exit, bombed.err);
        assertTrue(bombed.err.startsWith("error: " + bomb + ": not a readable bundle: entry coefficients.bin has an unknown array format"), bombed.err);
        assertEquals(1, bombed.err.strip().lines().count(), "one line: " + bombed.err);
        assertTrue(bombed.seconds - missing.seconds < 2, "refused in " + (bombed.seconds - missing.seconds) + " s beyond startup");
        assertTrue(bombed.peakRssMiB - missing.peakRssMiB < 200, "peak RSS " + bombed.peakRssMiB + " MiB vs baseline " + missing.peakRssMiB);
    }

    /** A child JVM running the command line, its peak resident memory sampled every 10 ms. */
    record Child(int exit, String out, String err, double seconds, long peakRssMiB) {
        static Child run(List<String> args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx2g", "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main"));
            cmd.addAll(args);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).start();
            long peak = 0;
            Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
            var outF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            while (!p.waitFor(10, TimeUnit.MILLISECONDS)) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmRSS:")) peak = Math.max(peak, Long.parseLong(line.replaceAll("\\D", "")) >> 10);
                    }
                } catch (IOException gone) {
                    // the process ended between checks
                }
            }
            return new Child(p.exitValue(), outF.get(), errF.get(), (System.nanoTime() - t0) / 1e9, peak);
        }

        private static String read(java.io.InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    }

    /**
     * kill -9 at random moments of a tiny training run, several seeds, some right while a checkpoint is being
     * written: afterwards the run resumes from its last good checkpoint (or says plainly it has none), and no
     * temporary file is left.
     */
    @Test
    void killNineAtRandomMomentsLeavesAResumableRunAndNoTemporaryFiles(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp.resolve("setup"), 40);
        Random rnd = new Random(2026);
        int resumed = 0, duringWrite = 0;
        for (int trial = 0; trial < 4; trial++) {
            Path runs = tmp.resolve("runs-" + trial);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main", "train", exp.toString(),
                    "--runs", runs.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("out-" + trial + ".txt").toFile()).start();
            // Half the trials: kill as soon as a checkpoint's temporary file appears; the others at a random time
            // into the run. Both clocks start when the run's directory exists, so a slow start (loading ND4J on a
            // busy machine) cannot make the kill land before there is a run at all.
            for (long start = System.nanoTime(); p.isAlive() && !hasRunDirectory(runs) && System.nanoTime() - start < 120e9; ) {
                Thread.sleep(10);
            }
            boolean atWrite = trial % 2 == 0;
            long deadline = System.nanoTime() + (long) ((atWrite ? 90 : 4 + rnd.nextInt(12)) * 1e9);
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (atWrite && hasTemporary(runs) && hasCheckpoint(runs)) { // a later write: one good checkpoint exists
                    duringWrite++;
                    break;
                }
                Thread.sleep(atWrite ? 1 : 50);
            }
            p.destroyForcibly().waitFor(60, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no cleanup
            Path run;
            try (var dirs = Files.list(runs)) {
                run = dirs.findFirst().orElseThrow();
            }
            List<Path> checkpoints = Checkpoints.list(run.resolve("checkpoints"));
            for (Path c : checkpoints) Checkpoints.load(c, true); // every checkpoint under its real name is whole
            if (Files.exists(run.resolve("checkpoints/best.zip"))) Checkpoints.load(run.resolve("checkpoints/best.zip"), false);
            io.inception4j.Cli r = io.inception4j.Cli.run("train", "--resume", run.toString(), "--set", "train.epochs="
                    + (checkpoints.isEmpty() ? 1 : Checkpoints.load(checkpoints.get(checkpoints.size() - 1), false).state().epoch() + 1));
            if (checkpoints.isEmpty()) {
                assertEquals(2, r.exitCode(), r.err());
                assertEquals("error: " + run + ": no checkpoint to resume from", r.err().strip());
            } else {
                assertEquals(0, r.exitCode(), "resuming " + run + ": " + r.err() + "\n" + Files.readString(tmp.resolve("out-" + trial + ".txt")));
                resumed++;
            }
            assertFalse(anyFile(runs, f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file after resuming: " + run);
        }
        assertTrue(resumed >= 2, "resumed " + resumed + " of 4 runs");
        assertTrue(duringWrite >= 1, "at least one kill landed during a checkpoint write");
    }

    private static boolean hasRunDirectory(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) return false;
        try (var dirs = Files.list(runs)) {
            return dirs.findAny().isPresent();
        }
    }

    private static boolean hasCheckpoint(Path runs) throws IOException {
        return anyFile(runs, f -> f.getFileName().toString().matches("epoch-\\d+\\.zip"));
    }

    private static boolean hasTemporary(Path runs) throws IOException {
        return anyFile(runs, f -> f.getFileName().toString().endsWith(".tmp") && f.toString().contains("checkpoints"));
    }

    /**
     * Whether a file under {@code root} matches. The trainer may be running: a file the walk has listed can be
     * renamed (a .tmp becoming its real name) before the walk reads its attributes, so a file vanishing mid-walk
     * means "look again", not a failure.
     */
    private static boolean anyFile(Path root, Predicate<Path> match) throws IOException {
        if (!Files.isDirectory(root)) return false;
        for (int attempt = 0; ; attempt++) {
            try (var files = Files.walk(root)) {
                return files.anyMatch(match);
            } catch (UncheckedIOException | NoSuchFileException e) {
                Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
                if (!(cause instanceof NoSuchFileException) || attempt == 100) throw e;
            }
        }
    }
}
