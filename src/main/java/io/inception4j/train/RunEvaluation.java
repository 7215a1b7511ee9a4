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
 * and seed, so it is the very split the run trained and validated on. With several crops per image or several
 * models (an ensemble), {@link EnsembleEvaluation} does the work.
 */
public final class RunEvaluation {
    private RunEvaluation() {}

    /**
     * What {@code inception4j evaluate} was asked.
     *
     * @param targets run directories, checkpoints or bundles; more than one is an ensemble (softmax averaged)
     * @param split   train, val or test
     * @param dataDir a {@code --data} folder, or null
     * @param images  labelled images to evaluate on instead of a split ({@link io.inception4j.data.LabelledImages}), or null
     * @param crops   crops per image: 1, 10 or 144 ({@link io.inception4j.data.Crops})
     * @param out     where the report files go (null: beside the first target)
     */
    public record Request(List<Path> targets, String split, Path dataDir, Path images, int crops, Path out) {
        public Request {
            targets = List.copyOf(targets);
        }
    }

    /**
     * One model's single centre crop on a split is evaluated as it always was (batches from the dataset); more
     * crops, more models or {@code --images} go through {@link EnsembleEvaluation}.
     */
    public static EvalReport evaluate(Request r, Map<String, String> env) throws IOException {
        io.inception4j.data.Crops.check(r.crops());
        if (r.targets().isEmpty()) throw new ConfigException("evaluate: no run, checkpoint or bundle given");
        if (r.images() == null && !List.of("train", "val", "test").contains(r.split())) {
            throw new ConfigException("--split " + r.split() + ": expected train, val or test");
        }
        if (r.targets().size() == 1 && r.crops() == 1 && r.images() == null) {
            return evaluate(r.targets().get(0), r.split(), r.dataDir(), env, r.out());
        }
        return EnsembleEvaluation.evaluate(r, env);
    }

    /** A checkpoint as evaluation reads it, with its run directory's resolved experiment. */
    record OpenedRun(Path checkpoint, Path runDir, Checkpoint loaded, Experiment experiment) {
        io.inception4j.data.Preprocessing preprocessing() {
            ModelConfig m = experiment.model().config();
            return new io.inception4j.data.Preprocessing(m.height(), m.widthPx(), experiment.data().config().resizeRatio());
        }
    }

    /** Opens a run directory (its best checkpoint) or a checkpoint file inside one. */
    static OpenedRun openRun(Path target) {
        Path checkpoint = Files.isDirectory(target) ? target.resolve("checkpoints/best.zip") : target;
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        if (!Files.exists(runDir.resolve("data.yaml"))) {
            throw new ConfigException(target + ": not a run directory or a checkpoint inside one (no data.yaml beside it)");
        }
        Checkpoint loaded = Checkpoints.load(checkpoint, false);
        Experiment exp = Experiment.fromResolved(runDir.getFileName().toString(), runDir, Overrides.none());
        return new OpenedRun(checkpoint, runDir, loaded, exp);
    }

    /**
     * @param target a run directory (its best checkpoint) or a checkpoint file inside one
     * @param out    where the report files go (null: the run directory's {@code evaluation/})
     */
    public static EvalReport evaluate(Path target, String split, Path dataDir, Map<String, String> env, Path out) throws IOException {
        if (Files.isRegularFile(target) && isBundle(target)) return evaluateBundle(target, split, dataDir, env, out);
        OpenedRun run = openRun(target);
        Path checkpoint = run.checkpoint(), runDir = run.runDir();
        Checkpoint loaded = run.loaded();
        Experiment exp = run.experiment();
        ModelConfig m = exp.model().config();
        int side = run.preprocessing().cacheSide();
        Dataset data = Dataset.prepare(exp.data().config(), dataDir, env, exp.train().config().seed(), side);
        if (!data.classes().equals(loaded.labels())) {
            throw new ConfigException(checkpoint + ": its labels " + loaded.labels() + " differ from the dataset's " + data.classes());
        }
        var batches = data.batches(split(data, split), m.height(), m.widthPx(), exp.train().config().batchSize(), 1, false, 0,
                exp.train().config().seed());
        EvalReport report = Evaluator.evaluate(loaded.evaluationGraph(), batches, split, data.classes()).withProtocol(1, List.of(target.toString()));
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
        var network = io.inception4j.graph.layers.BatchNormFolding.fold(bundle.network()); // only evaluated, as predict would run it
        EvalReport report = Evaluator.evaluate(network, batches, split, dataset.classes()).withProtocol(1, List.of(file.toString()));
        report.write(out != null ? out : bundleReportDir(file));
        return report;
    }

    /** Where a bundle's reports go by default: {@code <bundle>-evaluation/} beside it. */
    static Path bundleReportDir(Path file) {
        return file.toAbsolutePath().getParent().resolve(file.getFileName() + "-evaluation");
    }

    private static List<Sample> split(Dataset data, String split) {
        return split(data.splits(), split);
    }

    static List<Sample> split(io.inception4j.data.Splits splits, String split) {
        return switch (split) {
            case "train" -> splits.train();
            case "val" -> splits.val();
            case "test" -> splits.test();
            default -> throw new ConfigException("--split " + split + ": expected train, val or test");
        };
    }

    static boolean isBundle(Path f) {
        try (var zip = new java.util.zip.ZipFile(f.toFile())) {
            return zip.getEntry("inception4j/bundle.json") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
