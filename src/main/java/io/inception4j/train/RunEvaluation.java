package io.inception4j.train;

import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Dataset;
import io.inception4j.data.Sample;

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
        Path checkpoint = Files.isDirectory(target) ? target.resolve("checkpoints/best.zip") : target;
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        if (!Files.exists(runDir.resolve("data.yaml"))) {
            throw new ConfigException(target + ": not a run directory or a checkpoint inside one (no data.yaml beside it)");
        }
        Checkpoints.Loaded loaded = Checkpoints.load(checkpoint, false);
        Experiment exp = Experiment.fromResolved(runDir.getFileName().toString(), runDir, Overrides.none());
        ModelConfig m = exp.model().config();
        int side = (int) Math.round(Math.max(m.height(), m.widthPx()) * exp.data().config().resizeRatio());
        Dataset data = Dataset.prepare(exp.data().config(), dataDir, env, exp.train().config().seed(), side);
        if (!data.classes().equals(loaded.labels())) {
            throw new ConfigException(checkpoint + ": its labels " + loaded.labels() + " differ from the dataset's " + data.classes());
        }
        List<Sample> samples = switch (split) {
            case "train" -> data.splits().train();
            case "val" -> data.splits().val();
            case "test" -> data.splits().test();
            default -> throw new ConfigException("--split " + split + ": expected train, val or test");
        };
        var batches = data.batches(samples, m.height(), m.widthPx(), exp.train().config().batchSize(), 1, false, 0,
                exp.train().config().seed());
        EvalReport report = Evaluator.evaluate(loaded.graph(), batches, split, data.classes());
        report.write(out != null ? out : runDir.resolve("evaluation"));
        return report;
    }
}
