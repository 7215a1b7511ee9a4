package io.inception4j.parallel;

import io.inception4j.Cli;
import io.inception4j.config.ConfigException;
import io.inception4j.data.BatchIterator;
import io.inception4j.train.EpochFitter;
import io.inception4j.train.Metrics;
import io.inception4j.train.TinyFlowers;
import io.inception4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --workers 2: DL4J's ParallelWrapper on two CPU threads, into the same run directory as any run. */
class ParallelWrapperFitterTest {

    @Test
    void twoWorkersAveragingParametersFitEveryBatchOnceAndLearn(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 5);
        Recording fitter = new Recording(new ParallelWrapperFitter(2));
        Trainer.Result r = Trainer.start(TinyFlowers.load(exp, "train.distributed.averaging_frequency=1"),
                TinyFlowers.options(tmp.resolve("runs"), null, null).withFitter(fitter));

        assertEquals(Trainer.Outcome.COMPLETED, r.outcome(), r.message());
        // Every batch of the training split fitted once per epoch, by one worker or the other.
        for (int e = 0; e < fitter.epochs.size(); e++) {
            assertEquals(fitter.expectedBatches.get(e), fitter.epochs.get(e).batches(), "batches fitted in epoch " + e);
            assertEquals(fitter.expectedImages.get(e), fitter.epochs.get(e).images(), "images fitted in epoch " + e);
        }
        assertTrue(fitter.expectedBatches.get(0) >= 3, "enough batches for both workers");
        assertEquals(5, fitter.epochs.size());
        List<Metrics.Row> rows = new Metrics(r.run().metrics()).read();
        assertTrue(rows.get(4).trainLoss() < rows.get(0).trainLoss() * 0.9,
                "loss decreases: " + rows.stream().map(Metrics.Row::trainLoss).toList());
        assertTrue(Files.readString(r.run().dir().resolve("provenance.json")).contains("ParallelWrapper, 2 workers, parameter averaging every 1 batches"));
        for (String f : List.of("test-metrics.json", "checkpoints/best.zip", "index.html", "metrics.csv")) {
            assertTrue(Files.exists(r.run().dir().resolve(f)), f);
        }
    }

    @Test
    void theWorkersTrainOnExactlyTheBatchesThePipelineMade(@TempDir Path tmp) throws Exception {
        // DL4J's ParallelWrapper prefetches into a reused workspace; the batches its workers trained on were
        // overwritten under them. Every batch a worker sees must be one the pipeline made, each exactly once.
        Path exp = TinyFlowers.setUp(tmp, 2);
        List<Double> made = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Double> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        EpochFitter pw = new ParallelWrapperFitter(2);
        EpochFitter checking = new Recording(pw) {
            @Override public Report fitEpoch(BatchIterator train, int epoch) {
                train.setEpoch(epoch);
                while (train.hasNext()) made.add(fingerprint(train.next().getFeatures(0)));
                train.setEpoch(epoch); // the same batches again, for the workers
                return super.fitEpoch(train, epoch);
            }
        };
        io.inception4j.train.TrainingObserver watch = (graph, run) -> graph.addListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
            @Override
            public void onForwardPass(org.deeplearning4j.nn.api.Model model, java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> activations) {
                var g = (org.deeplearning4j.nn.graph.ComputationGraph) model;
                seen.add(fingerprint(g.getInputs()[0]));
            }
        });
        Trainer.Result r = Trainer.start(TinyFlowers.load(exp, "train.distributed.averaging_frequency=1"),
                TinyFlowers.options(tmp.resolve("runs"), null, null).withFitter(checking).withObservers(List.of(watch)));
        assertEquals(Trainer.Outcome.COMPLETED, r.outcome(), r.message());
        List<Double> a = new ArrayList<>(made), b = new ArrayList<>(seen);
        a.sort(null);
        b.sort(null);
        assertEquals(a.size(), b.size(), "batches made " + a + " and trained on " + b);
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-3 * Math.abs(a.get(i)), "batch " + i + ": " + a + " vs " + b);
    }

    /** The pixels of a batch, weighted by position so that a batch of other images or in another order differs. */
    private static double fingerprint(org.nd4j.linalg.api.ndarray.INDArray x) {
        var f = x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        var w = org.nd4j.linalg.factory.Nd4j.linspace(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1, f.length(), f.length()).reshape(f.shape());
        return f.mul(w).sumNumber().doubleValue();
    }

    @Test
    void theCommandLineTrainsWithSharedGradientsAndTheRunExportsAndPredicts(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 2);
        Cli train = Cli.run("train", exp.toString(), "--runs", tmp.resolve("runs").toString(), "--workers", "2",
                "--set", "train.distributed.mode=shared_gradients");
        assertEquals(0, train.exitCode(), train.err());
        Path run = Files.list(tmp.resolve("runs")).findFirst().orElseThrow();
        assertTrue(Files.readString(run.resolve("provenance.json")).contains("shared gradients"));
        Path bundle = tmp.resolve("model.zip");
        Cli export = Cli.run("export", run.toString(), "-o", bundle.toString());
        assertEquals(0, export.exitCode(), export.err());
        Cli predict = Cli.run("predict", bundle.toString(), tmp.resolve("images/daffodil/image_0001.jpg").toString());
        assertEquals(0, predict.exitCode(), predict.err());
        assertTrue(predict.out().contains("daffodil") || predict.out().contains("snowdrop") || predict.out().contains("lilyvalley"), predict.out());
    }

    @Test
    void aRecipeWithAWeightAverageIsRefusedWithTheReason(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 1);
        ConfigException e = assertThrows(ConfigException.class, () -> Trainer.start(TinyFlowers.load(exp, "train.ema=0.99"),
                TinyFlowers.options(tmp.resolve("runs"), null, null).withFitter(new ParallelWrapperFitter(2))));
        assertTrue(e.getMessage().contains("train.ema") && e.getMessage().contains("ParallelWrapper"), e.getMessage());
    }

    @Test
    void sparkWithoutTheSparkBuildSaysHowToGetIt(@TempDir Path tmp) throws Exception {
        Path exp = TinyFlowers.setUp(tmp, 1);
        boolean sparkBuild;
        try {
            sparkBuild = java.util.ServiceLoader.load(io.inception4j.train.ClusterEngine.class).findFirst().isPresent();
        } catch (java.util.ServiceConfigurationError e) {
            sparkBuild = false;
        }
        if (sparkBuild) return; // mvn -Pspark: SparkTrainingTest covers --spark
        Cli train = Cli.run("train", exp.toString(), "--runs", tmp.resolve("runs").toString(), "--spark", "local[2]");
        assertEquals(2, train.exitCode(), "a user error: exit code 2");
        assertTrue(train.err().contains("--spark needs the Spark build") && train.err().contains("-Pspark"), train.err());
        assertTrue(!Files.exists(tmp.resolve("runs")) || Files.list(tmp.resolve("runs")).findAny().isEmpty(), "no run directory");
    }

    /** Passes through, keeping what each epoch reported. */
    private static class Recording implements EpochFitter {
        final EpochFitter inner;
        final List<Report> epochs = new ArrayList<>();
        final List<Integer> expectedBatches = new ArrayList<>();
        final List<Long> expectedImages = new ArrayList<>();

        Recording(EpochFitter inner) {
            this.inner = inner;
        }

        @Override public void start(Setup setup) { inner.start(setup); }
        @Override public Report fitEpoch(BatchIterator train, int epoch) {
            expectedBatches.add(train.batchesPerEpoch());
            expectedImages.add((long) train.size());
            Report f = inner.fitEpoch(train, epoch);
            epochs.add(f);
            return f;
        }
        @Override public String describe() { return inner.describe(); }
        @Override public void close() { inner.close(); }
    }
}
