package io.inception4j.train;

import io.inception4j.config.Binder;
import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import io.inception4j.config.YamlDocument;
import io.inception4j.data.DatasetLocator;
import io.inception4j.data.ImageDecoder;
import io.inception4j.data.ImageIndex;
import io.inception4j.data.LabelledImages;
import io.inception4j.data.ProgressBar;
import io.inception4j.data.Sample;
import io.inception4j.data.Splits;
import io.inception4j.inference.Bundle;
import io.inception4j.inference.Classifier;
import io.inception4j.inference.MultiCrop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The papers' evaluation protocol: several crops per image ({@link io.inception4j.data.Crops}) and several models
 * (an ensemble), the softmax averaged over the crops of each model, then over the models.
 *
 * <p>Each member keeps its own preprocessing (input size, resize ratio) and network: a bundle's as predict
 * runs it (batch norm folded, no aux heads), a run's checkpoint as evaluate runs it (its evaluation graph, main
 * output). Members must have the same labels in the same order.
 *
 * <p>The images: with {@code --images}, the ones named; otherwise each member's split is rebuilt from its own
 * data config and seed, as for one model, and the images in that split of <em>every</em> member are evaluated.
 * For members trained on one split that is the split itself; for members trained with different seeds it is
 * the images none of them trained or validated on (the test split of each).
 *
 * <p>Memory: {@code batch_size} images are in hand at a time, each member's crops go through its network in
 * batches of at most its batch size ({@link MultiCrop}).
 */
final class EnsembleEvaluation {
    private static final Logger log = LoggerFactory.getLogger(EnsembleEvaluation.class);

    private EnsembleEvaluation() {}

    /**
     * One model of the ensemble.
     *
     * @param data      its data config (read when the images come from its split)
     * @param seed      the seed its split was drawn with
     * @param batchSize its crops per network call
     * @param reportDir where its own evaluation reports go by default
     */
    record Member(Path target, Classifier classifier, Supplier<DataConfig> data, long seed, int batchSize, Path reportDir) {
        List<String> labels() {
            return classifier.labels();
        }
    }

    static EvalReport evaluate(RunEvaluation.Request r, Map<String, String> env) throws IOException {
        List<Member> members = new ArrayList<>();
        for (Path target : r.targets()) {
            Member m = open(target);
            Member first = members.isEmpty() ? m : members.get(0);
            if (!m.labels().equals(first.labels())) {
                throw new ConfigException(target + ": its labels " + m.labels() + " differ from those of " + first.target() + " "
                        + first.labels() + "; the models of an ensemble must have the same labels in the same order");
            }
            members.add(m);
        }
        List<String> labels = members.get(0).labels();
        List<Sample> samples = r.images() != null ? LabelledImages.read(r.images(), labels) : commonSplit(members, r, env);
        String name = r.images() != null ? "images" : r.split();
        long maxPixels = r.images() != null ? ImageDecoder.DEFAULT_MAX_PIXELS : members.get(0).data().get().maxPixels();
        log.info("evaluating {} model{} with {} crop{} per image on {} images ({}): {} network passes per model",
                members.size(), members.size() == 1 ? "" : "s", r.crops(), r.crops() == 1 ? "" : "s", samples.size(), name,
                (long) samples.size() * r.crops());

        List<MultiCrop> multiCrops = members.stream()
                .map(m -> m.classifier().multiCrop(r.crops(), m.batchSize(), maxPixels, false)).toList();
        EvalReport.Builder report = new EvalReport.Builder(name, labels);
        ProgressBar progress = ProgressBar.stderr("evaluating", samples.size());
        int inHand = members.get(0).batchSize(), skipped = 0;
        for (int start = 0; start < samples.size(); start += inHand) {
            List<Sample> part = samples.subList(start, Math.min(samples.size(), start + inHand));
            List<Path> files = part.stream().map(Sample::file).toList();
            double[][] sum = new double[part.size()][labels.size()];
            boolean[] unreadable = new boolean[part.size()];
            for (int j = 0; j < members.size(); j++) {
                List<MultiCrop.Averaged> averaged = members.get(j).classifier().averaged(files, multiCrops.get(j));
                for (int i = 0; i < part.size(); i++) {
                    MultiCrop.Averaged a = averaged.get(i);
                    if (unreadable[i]) continue;
                    if (!a.ok()) {
                        unreadable[i] = true;
                        log.warn("{}: left out: {}", a.file(), a.error());
                        continue;
                    }
                    for (int c = 0; c < labels.size(); c++) sum[i][c] += a.probabilities()[c];
                }
            }
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < part.size(); i++) {
                if (unreadable[i]) skipped++;
                else rows.add(i);
            }
            if (!rows.isEmpty()) {
                INDArray truth = Nd4j.zeros(DataType.FLOAT, rows.size(), labels.size());
                float[][] probs = new float[rows.size()][labels.size()];
                for (int k = 0; k < rows.size(); k++) {
                    int i = rows.get(k);
                    truth.putScalar(k, part.get(i).label(), 1);
                    for (int c = 0; c < labels.size(); c++) probs[k][c] = (float) (sum[i][c] / members.size());
                }
                report.add(truth, Nd4j.createFromArray(probs));
            }
            progress.update(start + part.size(), "");
        }
        if (skipped > 0) log.warn("{} image{} could not be read and were left out", skipped, skipped == 1 ? "" : "s");
        EvalReport result = report.build().withProtocol(r.crops(), r.targets().stream().map(Path::toString).toList());
        result.write(r.out() != null ? r.out() : members.get(0).reportDir());
        return result;
    }

    /** A run directory or checkpoint (evaluated as evaluate runs it), or a bundle (as predict runs it). */
    static Member open(Path target) {
        if (Files.isRegularFile(target) && RunEvaluation.isBundle(target)) {
            Classifier c = Classifier.load(target);
            Bundle b = c.bundle();
            Supplier<DataConfig> data = () -> Binder.bind(YamlDocument.parse("data.yaml in " + target, b.dataYaml()), DataConfig.class);
            return new Member(target, c, data, b.info().path("provenance").path("seed").asLong(42), 32, RunEvaluation.bundleReportDir(target));
        }
        RunEvaluation.OpenedRun run = RunEvaluation.openRun(target);
        ComputationGraph graph = run.loaded().evaluationGraph();
        Classifier c = Classifier.of(run.loaded().labels(), run.preprocessing(), batch -> {
            INDArray[] out = graph.output(false, batch);
            for (int i = 1; i < out.length; i++) if (out[i].closeable()) out[i].close(); // aux heads
            return out[0];
        });
        DataConfig data = run.experiment().data().config();
        return new Member(target, c, () -> data, run.experiment().train().config().seed(), run.experiment().train().config().batchSize(),
                run.runDir().resolve("evaluation"));
    }

    /**
     * The images in {@code r.split()} of every member, in the first member's order: each member's split is rebuilt
     * from its data config and seed (the dataset found as for training: --data, the environment, the search list).
     */
    static List<Sample> commonSplit(List<Member> members, RunEvaluation.Request r, Map<String, String> env) {
        LinkedHashMap<Path, Sample> common = null;
        for (Member m : members) {
            DataConfig config = m.data().get();
            ImageIndex index = ImageIndex.of(config, DatasetLocator.locate(config, r.dataDir(), env));
            if (!index.classes().equals(m.labels())) {
                throw new ConfigException(m.target() + ": its labels " + m.labels() + " differ from the dataset's " + index.classes());
            }
            List<Sample> split = RunEvaluation.split(Splits.of(index, config.split(), m.seed()), r.split());
            if (common == null) {
                common = new LinkedHashMap<>();
                for (Sample s : split) common.put(key(s), s);
            } else {
                Set<Path> mine = split.stream().map(EnsembleEvaluation::key).collect(Collectors.toSet());
                common.keySet().retainAll(mine);
            }
        }
        if (common.isEmpty()) {
            throw new ConfigException("no image is in the " + r.split() + " split of every model (their splits were drawn with different "
                    + "seeds); name images none of them trained on with --images");
        }
        if (members.size() > 1) log.info("{} images are in the {} split of all {} models", common.size(), r.split(), members.size());
        return List.copyOf(common.values());
    }

    private static Path key(Sample s) {
        return s.file().toAbsolutePath().normalize();
    }
}
