package io.inception4j.train;

import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Dataset;
import io.inception4j.data.Sample;
import io.inception4j.inference.Bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a run's checkpoint on one of its splits: the split is rebuilt from the run's saved data config
 * and seed, so it is the very split the run trained and validated on.
 */
public final class RunEvaluation {
    private RunEvaluation() {}

    /**
     * @param target a run directory (its best checkpoint) or a checkpoint file inside one
     * @param out    where the report files go (null: the run directory's {@code evaluation/})
     */
    public static EvalReport evaluate(Path target, String split, Path dataDir, Map<String, String> env, Path out) throws IOException {
        if (Files.isRegularFile(target) && isBundle(target)) return evaluateBundle(target, split, dataDir, env, out);
        Path checkpoint = Files.isDirectory(target) ? target.resolve("checkpoints/best.zip") : target;
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        if (!Files.exists(runDir.resolve("data.yaml"))) {
            throw new ConfigException(target + ": not a run directory or a checkpoint inside one (no data.yaml beside it)");
        }
        Checkpoint loaded = Checkpoints.load(checkpoint, false);
        Experiment exp = Experiment.fromResolved(runDir.getFileName().toString(), runDir, Overrides.none());
        ModelConfig m = exp.model().config();
        int side = new io.inception4j.data.Preprocessing(m.height(), m.widthPx(), exp.data().config().resizeRatio()).cacheSide();
        Dataset data = Dataset.prepare(exp.data().config(), dataDir, env, exp.train().config().seed(), side);
        if (!data.classes().equals(loaded.labels())) {
            throw new ConfigException(checkpoint + ": its labels " + loaded.labels() + " differ from the dataset's " + data.classes());
        }
        var batches = data.batches(split(data, split), m.height(), m.widthPx(), exp.train().config().batchSize(), 1, false, 0,
                exp.train().config().seed());
        EvalReport report = Evaluator.evaluate(loaded.evaluationGraph(), batches, split, data.classes());
        report.write(out != null ? out : runDir.resolve("evaluation"));
        return report;
    }

    /**
     * Evaluates an exported bundle on the split it was trained with, rebuilt from the data config and seed
     * it carries (the dataset itself is found as for training: --data, the env variable, or the search list).
     */
    static EvalReport evaluateBundle(Path file, String split, Path dataDir, Map<String, String> env, Path out) throws IOException {
        Bundle bundle = Bundle.read(file);
        var data = io.inception4j.config.Binder.bind(io.inception4j.config.YamlDocument.parse("data.yaml in " + file, bundle.dataYaml()),
                io.inception4j.config.DataConfig.class);
        long seed = bundle.info().path("provenance").path("seed").asLong(42);
        var pre = bundle.preprocessing();
        Dataset dataset = Dataset.prepare(data, dataDir, env, seed, pre.cacheSide());
        if (!dataset.classes().equals(bundle.labels())) {
            throw new ConfigException(file + ": its labels " + bundle.labels() + " differ from the dataset's " + dataset.classes());
        }
        var batches = dataset.batches(split(dataset, split), pre.height(), pre.width(), 32, 1, false, 0, seed);
        io.inception4j.graph.layers.BatchNormFolding.fold(bundle.network()); // only evaluated, as predict would run it
        EvalReport report = Evaluator.evaluate(bundle.network(), batches, split, dataset.classes());
        report.write(out != null ? out : file.toAbsolutePath().getParent().resolve(file.getFileName() + "-evaluation"));
        return report;
    }

    private static List<Sample> split(Dataset data, String split) {
        return switch (split) {
            case "train" -> data.splits().train();
            case "val" -> data.splits().val();
            case "test" -> data.splits().test();
            default -> throw new ConfigException("--split " + split + ": expected train, val or test");
        };
    }

    private static boolean isBundle(Path f) {
        try (var zip = new java.util.zip.ZipFile(f.toFile())) {
            return zip.getEntry("inception4j/bundle.json") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
