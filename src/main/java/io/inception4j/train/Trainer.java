package io.inception4j.train;

import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.config.TrainConfig;
import io.inception4j.data.BatchIterator;
import io.inception4j.data.Dataset;
import io.inception4j.data.DatasetLocator;
import io.inception4j.data.ProgressBar;
import io.inception4j.files.AtomicFiles;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.AsyncMultiDataSetIterator;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a model config on a dataset with a recipe, epoch by epoch: fit, validate, record, checkpoint.
 * Every random choice (split, initialisation, batch order, augmentation, dropout) derives from the seed and
 * the position in training, so a run resumed from a checkpoint continues exactly as if never stopped.
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    public enum Outcome { COMPLETED, EARLY_STOPPED, INTERRUPTED, DIVERGED }

    /** How a run ended; {@code test} is the best checkpoint's test-split report (null unless completed). */
    public record Result(Outcome outcome, RunDirectory run, TrainingState state, EvalReport test, int skippedImages,
                         String message) {}

    /** Called after every training batch (progress displays, tests). */
    public interface BatchListener {
        void afterBatch(int epoch, int batch, double loss);
    }

    /**
     * @param dataDir  a {@code --data} folder, or null to locate the dataset from its config
     * @param env      environment variables (the dataset's {@code env} variable names its folder)
     * @param runsRoot where new run directories go ({@code results/runs})
     */
    public record Options(Path dataDir, Map<String, String> env, Path runsRoot, StopSignal stop, BatchListener listener,
                          List<TrainingObserver> observers, StartingWeights startingWeights, EpochFitter fitter) {
        public Options {
            stop = stop == null ? new StopSignal() : stop;
            listener = listener == null ? (e, b, l) -> { } : listener;
            observers = observers == null ? List.of() : List.copyOf(observers);
        }

        public Options(Path dataDir, Map<String, String> env, Path runsRoot, StopSignal stop, BatchListener listener) {
            this(dataDir, env, runsRoot, stop, listener, List.of(), null, null);
        }

        public Options withObservers(List<TrainingObserver> more) {
            List<TrainingObserver> all = new java.util.ArrayList<>(observers);
            all.addAll(more);
            return new Options(dataDir, env, runsRoot, stop, listener, all, startingWeights, fitter);
        }

        /** The dataset's folder, once found: the run reads it from there. */
        public Options withDataDir(Path dir) {
            return new Options(dir, env, runsRoot, stop, listener, observers, startingWeights, fitter);
        }

        public Options withStartingWeights(StartingWeights weights) {
            return new Options(dataDir, env, runsRoot, stop, listener, observers, weights, fitter);
        }

        /** Epochs are fitted by {@code f} on several workers instead of batch by batch in this thread. */
        public Options withFitter(EpochFitter f) {
            return new Options(dataDir, env, runsRoot, stop, listener, observers, startingWeights, f);
        }
    }

    /**
     * Fills a freshly built network before its first step, in place of its random initialisation (e.g. from
     * imported weights: train --init); a resumed run takes its weights from its checkpoint instead.
     */
    public interface StartingWeights {
        /** @return a line for the log saying what was filled and what kept its initialisation */
        String fill(ComputationGraph fresh);
    }

    private final Experiment exp;
    private final Options options;
    private final RunDirectory run;

    private Trainer(Experiment exp, Options options, RunDirectory run) {
        this.exp = exp;
        this.options = options;
        this.run = run;
    }

    /** Starts a new run in a fresh run directory. */
    public static Result start(Experiment exp, Options options) throws IOException {
        // Found (or downloaded) before the run directory exists: a wrong --data leaves no empty run behind.
        Path data = DatasetLocator.locate(exp.data().config(), options.dataDir(), options.env());
        RunDirectory run = RunDirectory.create(options.runsRoot(), exp.name());
        exp.writeResolved(run.dir());
        return new Trainer(exp, options.withDataDir(data), run).fit(null);
    }

    /** Continues the run in {@code runDir} from its newest checkpoint. {@code more} may extend it (train.epochs). */
    public static Result resume(Path runDir, Overrides more, Options options) throws IOException {
        RunDirectory run = new RunDirectory(runDir);
        if (!Files.exists(runDir.resolve("model.yaml"))) throw new ConfigException(runDir + ": not a run directory (no model.yaml)");
        run.attachLog(); // the run's log records each resumption, and why one failed
        Trainer trainer;
        Checkpoints.Loaded last;
        try {
            for (Path dir : List.of(run.dir(), run.checkpoints(), run.splits())) {
                for (Path stale : AtomicFiles.removeTemporaries(dir)) {
                    log.info("removed {}, left by a write that was cut short", run.dir().relativize(stale));
                }
            }
            List<Path> checkpoints = Checkpoints.list(run.checkpoints());
            if (checkpoints.isEmpty()) throw new ConfigException(runDir + ": no checkpoint to resume from");
            last = Checkpoints.load(checkpoints.get(checkpoints.size() - 1), true);
            Experiment exp = Experiment.fromResolved(runDir.getFileName().toString(), runDir, more);
            if (!more.all().isEmpty()) exp.writeResolved(runDir);
            log.info("resuming {} from {} (epoch {}, batch {})", runDir, last.file().getFileName(), last.state().epoch() + 1, last.state().batch());
            trainer = new Trainer(exp, options, run);
        } catch (IOException | RuntimeException e) {
            logFailure(e);
            run.detachLog();
            throw e;
        }
        return trainer.fit(last);
    }

    private Result fit(Checkpoints.Loaded from) throws IOException {
        try {
            return fitUnguarded(from);
        } catch (IOException | RuntimeException e) {
            logFailure(e);
            throw e;
        } finally {
            writePage(); // whatever the outcome, the run's page shows how far it got
            for (TrainingObserver o : options.observers()) o.finished(run);
            if (options.fitter() != null) options.fitter().close();
            options.stop().acknowledge(); // also on errors: a waiting Ctrl-C handler must not hang
            run.detachLog();
        }
    }

    /** The command line tells the user in its own words; the run's log must say it too, or it just ends. */
    private static void logFailure(Exception e) {
        if (e instanceof ConfigException) log.error(RunDirectory.LOG_ONLY, "the run stopped on an error: {}", e.getMessage());
        else log.error(RunDirectory.LOG_ONLY, "the run stopped on an error", e);
    }

    private Result fitUnguarded(Checkpoints.Loaded from) throws IOException {
        run.attachLog();
        TrainConfig t = exp.train().config();
        ModelConfig m = exp.model().config();
        int cacheSide = new io.inception4j.data.Preprocessing(m.height(), m.widthPx(), exp.data().config().resizeRatio()).cacheSide();
        // Rows after the checkpoint (a crash mid-epoch) go; read before the data, so a damaged file fails fast.
        Metrics metrics = new Metrics(run.metrics());
        metrics.truncateAfter(from == null ? 0 : from.state().epoch());
        Dataset data = Dataset.prepare(exp.data().config(), options.dataDir(), options.env(), t.seed(), cacheSide);
        if (data.classes().size() != m.classes()) {
            throw new ConfigException("model.classes is " + m.classes() + " but dataset '" + data.config().name() + "' has "
                    + data.classes().size() + " classes; add --set model.classes=" + data.classes().size());
        }
        data.splits().write(run.splits());
        data.writeBadFiles(run.dir());
        var provenance = Provenance.collect(exp.name(), t.seed(), data.dir(), data.splits().train().size(),
                data.splits().val().size(), data.splits().test().size(), data.bad().size());
        provenance.put("data_cache", data.cacheReason());
        Provenance.write(provenance, run.dir().resolve("provenance.json"));

        // The schedule counts an epoch as the batches the training iterator yields: known bad files left out.
        int perEpoch = data.batchesPerEpoch(data.splits().train(), t.batchSize());
        Blueprint bp = GraphFactory.standard().blueprint(exp.model(), Recipes.graphOptions(t, perEpoch));
        if (!bp.classifier()) throw new ConfigException("the model has no 'output' block: there is nothing to train");
        ComputationGraph graph = from == null ? startingGraph(bp, t) : from.graph();
        TrainingState state = from == null ? TrainingState.start() : from.state();
        if (t.gradClipGlobal() > 0) graph.addListeners(new GlobalNormClipping(t.gradClipGlobal()));
        WeightAverage ema = t.ema() > 0 ? weightAverage(t.ema(), from, graph) : null;
        for (TrainingObserver o : options.observers()) o.starting(graph, run);
        EpochFitter fitter = options.fitter();
        if (fitter != null) {
            if (ema != null) throw new ConfigException("train.ema: the moving average is updated after every batch, which "
                    + fitter.describe() + " does not expose; set train.ema=0 or train in one process");
            fitter.start(new EpochFitter.Setup(exp, data, run, graph, bp.outputCount()));
            provenance.put("fitter", fitter.describe());
            Provenance.write(provenance, run.dir().resolve("provenance.json"));
        }
        String modelYaml = Experiment.toYaml(exp.model().doc().root());

        BatchIterator train = data.batches(data.splits().train(), m.height(), m.widthPx(), t.batchSize(),
                bp.outputCount(), true, t.labelSmoothing(), t.seed());
        BatchIterator val = data.batches(data.splits().val(), m.height(), m.widthPx(), t.batchSize(), 1, false, 0, t.seed());
        var backend = io.inception4j.backend.Backend.info();
        log.info("training {} on {} for {} epochs: {} batches of {} per epoch; {}; layer helpers attached to {} of {} layers", m.name(),
                data.config().name(), t.epochs(), train.batchesPerEpoch(), t.batchSize(), backend,
                io.inception4j.backend.Backend.layersWithHelpers(graph.getLayers()), graph.getLayers().length);
        if (backend.systemMalloc()) {
            log.warn("native memory comes from glibc malloc: training may run up to 2.5x slower than with tcmalloc "
                    + "(apt-get install libtcmalloc-minimal4; scripts/inception4j then uses it)");
        }

        Fitting fitting = new Fitting(graph, ema, t, modelYaml, data.classes());
        Outcome outcome = Outcome.COMPLETED;
        for (int epoch = state.epoch(); epoch < t.epochs(); epoch++) {
            long started = System.nanoTime();
            train.setEpoch(epoch);
            train.skip(state.batch());
            ProgressBar bar = ProgressBar.stderr(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, t.epochs()), train.batchesPerEpoch());
            EpochFit fit = fitter != null ? fitting.whole(fitter, train, epoch, started, bar)
                    : fitting.byBatch(train, epoch, state, started, bar);
            if (fit.diverged() != null) {
                log.error(fit.diverged());
                return new Result(Outcome.DIVERGED, run, state, null, data.bad().size(), fit.diverged());
            }
            if (fit.stoppedAt() != null) {
                state = fit.stoppedAt();
                outcome = Outcome.INTERRUPTED;
                break;
            }
            graph.incrementEpochCount();

            EvalReport v = ema == null ? Evaluator.evaluate(graph, val, "val", data.classes())
                    : ema.withAverage(graph, () -> Evaluator.evaluate(graph, val, "val", data.classes()));
            double secs = (System.nanoTime() - started) / 1e9;
            double lr = Recipes.appliedLearningRate(graph, epoch);
            metrics.append(new Metrics.Row(epoch + 1, fit.batches() == 0 ? Double.NaN : fit.lossSum() / fit.batches(), v.top1(),
                    v.top5(), lr, fit.images() / secs, secs));
            boolean improved = v.top1() > state.bestTop1();
            state = TrainingState.at(epoch + 1, 0, improved ? v.top1() : state.bestTop1(),
                    improved ? epoch + 1 : state.bestEpoch(), improved ? 0 : state.sinceBest() + 1);
            log.info(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f, val top-1 %.2f%%, top-5 %.2f%%, lr %.3g, %.1f img/s%s",
                    epoch + 1, t.epochs(), fit.lossSum() / Math.max(1, fit.batches()), 100 * v.top1(), 100 * v.top5(), lr,
                    fit.images() / secs, improved ? " (best)" : ""));
            // best.zip first: an epoch checkpoint records "best at epoch N", so best.zip must already hold it if
            // the process dies between the two writes (kill -9 test in HostileFilesTest).
            if (improved) Checkpoints.save(run.best(), graph, state, modelYaml, data.classes(), average(ema));
            // A whole-epoch fitter cannot stop mid-epoch: a stop request takes effect here, with a checkpoint.
            boolean stopHere = fitter != null && options.stop().requested() && epoch + 1 < t.epochs();
            if ((epoch + 1) % t.checkpoint().every() == 0 || epoch + 1 == t.epochs() || stopHere) {
                Checkpoints.save(run.checkpoints().resolve(Checkpoints.name(state)), graph, state, modelYaml, data.classes(), average(ema));
                Checkpoints.prune(run.checkpoints(), t.checkpoint().keepLast());
            }
            drawCurves(metrics);
            writePage();
            if (stopHere) {
                log.info("stopped on request after epoch {}; continue with: train --resume {}", epoch + 1, run.dir());
                outcome = Outcome.INTERRUPTED;
                break;
            }
            if (t.earlyStopping() > 0 && state.sinceBest() >= t.earlyStopping()) {
                log.info("early stopping: no better validation top-1 for {} epochs (best {}% at epoch {})",
                        state.sinceBest(), String.format(Locale.ROOT, "%.2f", 100 * state.bestTop1()), state.bestEpoch());
                outcome = Outcome.EARLY_STOPPED;
                break;
            }
        }
        data.writeBadFiles(run.dir()); // streamed files can turn out unreadable during training
        if (outcome == Outcome.INTERRUPTED) return new Result(outcome, run, state, null, data.bad().size(), "interrupted");
        if (data.splits().test().isEmpty()) {
            String msg = String.format(Locale.ROOT, "no test split (as ImageNet's layout); best validation top-1 %.2f%% at epoch %d",
                    100 * state.bestTop1(), state.bestEpoch());
            log.info(msg);
            return new Result(outcome, run, state, null, data.bad().size(), msg);
        }
        EvalReport test = evaluateBest(data, m, t);
        return new Result(outcome, run, state, test, data.bad().size(), test.headline());
    }

    /**
     * How one epoch's fitting went: summed loss, batches and images; or the message of a diverged loss; or, for a
     * stop request in mid-epoch, the state the checkpoint just written records.
     */
    private record EpochFit(double lossSum, int batches, long images, String diverged, TrainingState stoppedAt) {
        static EpochFit diverged(String message) {
            return new EpochFit(0, 0, 0, message, null);
        }
    }

    /** The network in training and what its checkpoints hold beside it; fits one epoch at a time. */
    private final class Fitting {
        private final ComputationGraph graph;
        private final WeightAverage ema;
        private final TrainConfig t;
        private final String modelYaml;
        private final List<String> classes;

        Fitting(ComputationGraph graph, WeightAverage ema, TrainConfig t, String modelYaml, List<String> classes) {
            this.graph = graph;
            this.ema = ema;
            this.t = t;
            this.modelYaml = modelYaml;
            this.classes = classes;
        }

        /** The whole epoch by {@code fitter} (several workers); it cannot stop in mid-epoch. */
        EpochFit whole(EpochFitter fitter, BatchIterator train, int epoch, long started, ProgressBar bar) {
            EpochFitter.Fitted f = fitter.fitEpoch(train, epoch);
            if (!Double.isFinite(f.loss()) || f.loss() > t.maxLoss()) {
                return EpochFit.diverged(String.format(Locale.ROOT, "loss diverged (%s) in epoch %d; stopped. The last good "
                        + "checkpoint is kept in %s; lower train.lr or set train.grad_clip", f.loss(), epoch + 1, run.checkpoints()));
            }
            bar.update(train.batchesPerEpoch(), String.format(Locale.ROOT, "loss %.4f  %.1f img/s", f.loss(),
                    f.images() / ((System.nanoTime() - started) / 1e9)));
            options.listener().afterBatch(epoch, train.batchesPerEpoch(), f.loss());
            return new EpochFit(f.loss() * f.batches(), f.batches(), f.images(), null, null);
        }

        /** The rest of the epoch batch by batch in this thread, from {@code state}'s batch; a stop request saves a checkpoint. */
        EpochFit byBatch(BatchIterator train, int epoch, TrainingState state, long started, ProgressBar bar) throws IOException {
            double lossSum = 0;
            int batch = state.batch(), fitted = 0;
            long images = 0;
            AsyncMultiDataSetIterator prefetch = new AsyncMultiDataSetIterator(train, 4, false);
            try {
                while (prefetch.hasNext()) {
                    MultiDataSet b = prefetch.next();
                    // Dropout masks depend on the position in training only, so a resumed run replays them.
                    Nd4j.getRandom().setSeed(t.seed() * 1_000_003L + epoch * 10_007L + batch);
                    graph.fit(b);
                    if (ema != null) ema.update(graph.params(), graph.getIterationCount());
                    double loss = graph.score();
                    batch++;
                    fitted++;
                    images += b.getFeatures(0).size(0);
                    if (!Double.isFinite(loss) || loss > t.maxLoss()) {
                        return EpochFit.diverged(String.format(Locale.ROOT, "loss diverged (%s) at epoch %d, batch %d; stopped. "
                                + "The last good checkpoint is kept in %s; lower train.lr or set train.grad_clip", loss, epoch + 1,
                                batch, run.checkpoints()));
                    }
                    lossSum += loss;
                    double secs = (System.nanoTime() - started) / 1e9;
                    bar.update(batch, String.format(Locale.ROOT, "loss %.4f  %.1f img/s", lossSum / fitted, images / secs));
                    options.listener().afterBatch(epoch, batch, loss);
                    if (options.stop().requested() && prefetch.hasNext()) {
                        TrainingState at = TrainingState.at(epoch, batch, state.bestTop1(), state.bestEpoch(), state.sinceBest());
                        Path f = run.checkpoints().resolve(Checkpoints.name(at));
                        Checkpoints.save(f, graph, at, modelYaml, classes, average(ema));
                        log.info("stopped on request at epoch {}, batch {}; saved {}; continue with: train --resume {}",
                                epoch + 1, batch, f, run.dir());
                        return new EpochFit(lossSum, fitted, images, null, at);
                    }
                }
            } finally {
                prefetch.shutdown();
            }
            return new EpochFit(lossSum, fitted, images, null, null);
        }
    }

    /**
     * The learning curves, after the epoch's checkpoint: they are a view of metrics.csv, and failing to draw them
     * (as when a stop request's JVM shutdown refused ImageIO's disk cache) must not cost the run its checkpoint.
     */
    private void drawCurves(Metrics metrics) {
        try {
            metrics.plot();
        } catch (IOException | RuntimeException e) {
            log.warn("could not draw the learning curves in {}: {}", run.dir(), e.toString());
        }
    }

    /** Refreshes the run's index.html; a page that cannot be drawn is logged, never a reason to stop training. */
    private void writePage() {
        try {
            io.inception4j.report.RunPage.write(run.dir());
        } catch (IOException | RuntimeException e) {
            log.warn("could not write {}: {}", run.dir().resolve(io.inception4j.report.RunPage.FILE), e.toString());
        }
    }

    /** A new network: built, filled from the starting weights if any, frozen up to train.freeze if set. */
    private ComputationGraph startingGraph(Blueprint bp, TrainConfig t) {
        ComputationGraph graph = bp.create();
        if (options.startingWeights() != null) log.info("starting weights: {}", options.startingWeights().fill(graph));
        if (t.freeze() != null) {
            if (graph.getVertex(t.freeze()) == null) {
                throw new ConfigException("train.freeze: the model has no vertex '" + t.freeze() + "'");
            }
            graph = new org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder(graph).setFeatureExtractor(t.freeze()).build();
            long frozen = java.util.Arrays.stream(graph.getLayers())
                    .filter(l -> l instanceof org.deeplearning4j.nn.layers.FrozenLayer).mapToLong(org.deeplearning4j.nn.api.Layer::numParams).sum();
            log.info("train.freeze: {} and everything before it frozen ({} of {} parameters)", t.freeze(),
                    String.format(Locale.ROOT, "%,d", frozen), String.format(Locale.ROOT, "%,d", graph.numParams()));
        }
        return graph;
    }

    /** The moving average of the parameters: continued from the checkpoint, or started from the parameters. */
    private static WeightAverage weightAverage(double decay, Checkpoints.Loaded from, ComputationGraph graph) {
        if (from == null) return WeightAverage.start(decay, graph.params());
        if (from.ema() != null) return WeightAverage.restore(decay, from.ema());
        log.info("train.ema: {} has no average of the parameters; starting one from them", from.file());
        return WeightAverage.start(decay, graph.params());
    }

    private static org.nd4j.linalg.api.ndarray.INDArray average(WeightAverage ema) {
        return ema == null ? null : ema.average();
    }

    /** Test-split report of the best checkpoint (its moving average when kept), written into the run directory. */
    private EvalReport evaluateBest(Dataset data, ModelConfig m, TrainConfig t) throws IOException {
        Checkpoints.Loaded best = Checkpoints.load(run.best(), false);
        BatchIterator test = data.batches(data.splits().test(), m.height(), m.widthPx(), t.batchSize(), 1, false, 0, t.seed());
        EvalReport report = Evaluator.evaluate(best.evaluationGraph(), test, "test", data.classes());
        report.write(run.dir());
        log.info("best checkpoint (epoch {}): {}", best.state().bestEpoch(), report.headline());
        return report;
    }
}
