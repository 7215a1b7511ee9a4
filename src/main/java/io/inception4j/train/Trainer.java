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
import io.inception4j.graph.GraphUpdater;
import io.inception4j.graph.layers.FastConvLayer;
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
    /** Measured on the 2-core machines this project runs on: results/bench/README.md, "And the allocator". */
    private static final String MALLOC_WARNING = "native memory comes from glibc malloc: training runs about 2x slower than with tcmalloc "
            + "(measured on 2 cores: GoogLeNet at 128 px, 16-19 against 33-35 images/s); apt-get install libtcmalloc-minimal4 "
            + "and scripts/inception4j uses it";

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
                          List<TrainingObserver> observers, InitialWeights initialWeights, EpochFitter fitter) {
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
            return new Options(dataDir, env, runsRoot, stop, listener, all, initialWeights, fitter);
        }

        /** The dataset's folder, once found: the run reads it from there. */
        public Options withDataDir(Path dir) {
            return new Options(dir, env, runsRoot, stop, listener, observers, initialWeights, fitter);
        }

        public Options withInitialWeights(InitialWeights weights) {
            return new Options(dataDir, env, runsRoot, stop, listener, observers, weights, fitter);
        }

        /** Epochs are fitted by {@code f} on several workers instead of batch by batch in this thread. */
        public Options withFitter(EpochFitter f) {
            return new Options(dataDir, env, runsRoot, stop, listener, observers, initialWeights, f);
        }
    }

    /**
     * Fills a freshly built network before its first step, in place of its random initialisation (e.g. from
     * imported weights: train --init); a resumed run takes its weights from its checkpoint instead.
     */
    public interface InitialWeights {
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
        Checkpoint last;
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

    private Result fit(Checkpoint from) throws IOException {
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

    private Result fitUnguarded(Checkpoint from) throws IOException {
        run.attachLog();
        Training tr = prepare(from);
        TrainingState state = from == null ? TrainingState.start() : from.state();
        Outcome outcome = Outcome.COMPLETED;
        for (int epoch = state.epoch(); epoch < tr.t().epochs(); epoch++) {
            long started = System.nanoTime();
            EpochOutcome fit = tr.fitter() != null ? fitWhole(tr, epoch, started) : fitByBatch(tr, epoch, state, started);
            if (fit.diverged() != null) {
                log.error(fit.diverged());
                return new Result(Outcome.DIVERGED, run, state, null, tr.data().bad().size(), fit.diverged());
            }
            if (fit.stoppedAt() != null) {
                state = fit.stoppedAt();
                outcome = Outcome.INTERRUPTED;
                break;
            }
            // A stop request at an epoch's end (a whole-epoch fitter cannot stop mid-epoch; batch by batch, one on
            // the epoch's last batch) takes effect here, after validation, with a checkpoint.
            boolean stopHere = options.stop().requested() && epoch + 1 < tr.t().epochs();
            state = afterEpoch(tr, epoch, state, fit, started, stopHere);
            outcome = stopAfter(tr, epoch, state, stopHere);
            if (outcome != Outcome.COMPLETED) break;
        }
        return finish(tr, state, outcome);
    }

    /**
     * Everything an epoch needs, prepared once per run (or resumption): the data and its iterators, the network
     * with its listeners and starting weights, what its checkpoints hold beside it, and the log's first lines.
     */
    private record Training(TrainConfig t, ModelConfig m, Dataset data, ComputationGraph graph, WeightAverage ema,
                            EpochFitter fitter, BatchIterator train, BatchIterator val, Metrics metrics, String modelYaml) {}

    private Training prepare(Checkpoint from) throws IOException {
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
        FastConvLayer.skipUnusedInputGradients(graph); // a checkpoint's graph, too
        GraphUpdater.install(graph);                     // keeping a checkpoint's updater state
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

        BatchIterator train = data.batches(data.splits().train(), m.height(), m.widthPx(), t.batchSize(),
                bp.outputCount(), true, t.labelSmoothing(), t.seed());
        BatchIterator val = data.batches(data.splits().val(), m.height(), m.widthPx(), t.batchSize(), 1, false, 0, t.seed());
        var backend = io.inception4j.backend.Backend.info();
        log.info("training {} on {} for {} epochs: {} batches of {} per epoch; {}; layer helpers attached to {} of {} layers", m.name(),
                data.config().name(), t.epochs(), train.batchesPerEpoch(), t.batchSize(), backend,
                io.inception4j.backend.Backend.layersWithHelpers(graph.getLayers()), graph.getLayers().length);
        if (backend.systemMalloc()) log.warn(MALLOC_WARNING);
        return new Training(t, m, data, graph, ema, fitter, train, val, metrics, Experiment.toYaml(exp.model().doc().root()));
    }

    /**
     * How one epoch's fitting went: summed loss, batches and images; or the message of a diverged loss; or, for a
     * stop request in mid-epoch, the state the checkpoint just written records.
     */
    private record EpochOutcome(double lossSum, int batches, long images, String diverged, TrainingState stoppedAt) {
        static EpochOutcome diverged(String message) {
            return new EpochOutcome(0, 0, 0, message, null);
        }
    }

    /** A loss that is not a number or exceeds train.max_loss stops the run; {@code where} is "in epoch 3" or "at epoch 3, batch 7". */
    private EpochOutcome divergedIfBad(double loss, double maxLoss, String where) {
        if (Double.isFinite(loss) && loss <= maxLoss) return null;
        return EpochOutcome.diverged(String.format(Locale.ROOT, "loss diverged (%s) %s; stopped. The last good checkpoint is kept "
                + "in %s; lower train.lr or set train.grad_clip", loss, where, run.checkpoints()));
    }

    /** The whole epoch by the run's fitter (several workers); it cannot stop in mid-epoch. */
    private EpochOutcome fitWhole(Training tr, int epoch, long started) {
        ProgressBar bar = startEpoch(tr, epoch, 0);
        EpochFitter.Report f = tr.fitter().fitEpoch(tr.train(), epoch);
        EpochOutcome diverged = divergedIfBad(f.loss(), tr.t().maxLoss(), "in epoch " + (epoch + 1));
        if (diverged != null) return diverged;
        bar.update(tr.train().batchesPerEpoch(), String.format(Locale.ROOT, "loss %.4f  %.1f img/s", f.loss(),
                f.images() / ((System.nanoTime() - started) / 1e9)));
        options.listener().afterBatch(epoch, tr.train().batchesPerEpoch(), f.loss());
        return new EpochOutcome(f.loss() * f.batches(), f.batches(), f.images(), null, null);
    }

    /** The rest of the epoch batch by batch in this thread, from {@code state}'s batch; a stop request saves a checkpoint. */
    private EpochOutcome fitByBatch(Training tr, int epoch, TrainingState state, long started) throws IOException {
        ProgressBar bar = startEpoch(tr, epoch, state.batch());
        double lossSum = 0;
        int batch = state.batch(), fitted = 0;
        long images = 0;
        AsyncMultiDataSetIterator prefetch = new AsyncMultiDataSetIterator(tr.train(), 4, false);
        try {
            while (prefetch.hasNext()) {
                MultiDataSet b = prefetch.next();
                // Dropout masks depend on the position in training only, so a resumed run replays them.
                Nd4j.getRandom().setSeed(tr.t().seed() * 1_000_003L + epoch * 10_007L + batch);
                tr.graph().fit(b);
                tr.graph().clear(); // the graph's references to the batch; then its native arrays are freed now
                images += b.getFeatures(0).size(0);
                BatchIterator.release(b);
                if (tr.ema() != null) tr.ema().update(tr.graph().params(), tr.graph().getIterationCount());
                double loss = tr.graph().score();
                batch++;
                fitted++;
                EpochOutcome diverged = divergedIfBad(loss, tr.t().maxLoss(), "at epoch " + (epoch + 1) + ", batch " + batch);
                if (diverged != null) return diverged;
                lossSum += loss;
                bar.update(batch, String.format(Locale.ROOT, "loss %.4f  %.1f img/s", lossSum / fitted,
                        images / ((System.nanoTime() - started) / 1e9)));
                options.listener().afterBatch(epoch, batch, loss);
                if (options.stop().requested() && prefetch.hasNext()) {
                    TrainingState at = TrainingState.at(epoch, batch, state.bestTop1(), state.bestEpoch(), state.sinceBest());
                    Path f = run.checkpoints().resolve(Checkpoints.name(at));
                    Checkpoints.save(f, tr.graph(), at, tr.modelYaml(), tr.data().classes(), average(tr.ema()));
                    log.info("stopped on request at epoch {}, batch {}; saved {}; continue with: train --resume {}",
                            epoch + 1, batch, f, run.dir());
                    return new EpochOutcome(lossSum, fitted, images, null, at);
                }
            }
        } finally {
            prefetch.shutdown();
        }
        return new EpochOutcome(lossSum, fitted, images, null, null);
    }

    /** Positions the training iterator at {@code batch} of {@code epoch}; returns the epoch's progress bar. */
    private ProgressBar startEpoch(Training tr, int epoch, int batch) {
        tr.train().setEpoch(epoch);
        tr.train().skip(batch);
        return ProgressBar.stderr(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, tr.t().epochs()), tr.train().batchesPerEpoch());
    }

    /** Validates, records and checkpoints a finished epoch; returns the state its checkpoint records. */
    private TrainingState afterEpoch(Training tr, int epoch, TrainingState state, EpochOutcome fit, long started,
                                     boolean stopHere) throws IOException {
        ComputationGraph graph = tr.graph();
        graph.incrementEpochCount();
        EvalReport v = tr.ema() == null ? Evaluator.evaluate(graph, tr.val(), "val", tr.data().classes())
                : tr.ema().withAverage(graph, () -> Evaluator.evaluate(graph, tr.val(), "val", tr.data().classes()));
        double secs = (System.nanoTime() - started) / 1e9;
        double lr = Recipes.appliedLearningRate(graph, epoch);
        double loss = fit.batches() == 0 ? Double.NaN : fit.lossSum() / fit.batches();
        tr.metrics().append(new Metrics.Row(epoch + 1, loss, v.top1(), v.top5(), lr, fit.images() / secs, secs));
        boolean improved = v.top1() > state.bestTop1();
        TrainingState next = TrainingState.at(epoch + 1, 0, improved ? v.top1() : state.bestTop1(),
                improved ? epoch + 1 : state.bestEpoch(), improved ? 0 : state.sinceBest() + 1);
        log.info(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f, val top-1 %.2f%%, top-5 %.2f%%, lr %.3g, %.1f img/s%s",
                epoch + 1, tr.t().epochs(), fit.lossSum() / Math.max(1, fit.batches()), 100 * v.top1(), 100 * v.top5(), lr,
                fit.images() / secs, improved ? " (best)" : ""));
        // best.zip first: an epoch checkpoint records "best at epoch N", so best.zip must already hold it if
        // the process dies between the two writes (kill -9 test in HostileFilesTest).
        if (improved) Checkpoints.save(run.best(), graph, next, tr.modelYaml(), tr.data().classes(), average(tr.ema()));
        if ((epoch + 1) % tr.t().checkpoint().every() == 0 || epoch + 1 == tr.t().epochs() || stopHere) {
            Checkpoints.save(run.checkpoints().resolve(Checkpoints.name(next)), graph, next, tr.modelYaml(), tr.data().classes(),
                    average(tr.ema()));
            Checkpoints.prune(run.checkpoints(), tr.t().checkpoint().keepLast());
        }
        drawCurves(tr.metrics());
        writePage();
        return next;
    }

    /** Whether the run ends after {@code epoch}: on a stop request or early stopping. */
    private Outcome stopAfter(Training tr, int epoch, TrainingState state, boolean stopHere) {
        if (stopHere) {
            log.info("stopped on request after epoch {}; continue with: train --resume {}", epoch + 1, run.dir());
            return Outcome.INTERRUPTED;
        }
        if (tr.t().earlyStopping() > 0 && state.sinceBest() >= tr.t().earlyStopping()) {
            log.info("early stopping: no better validation top-1 for {} epochs (best {}% at epoch {})",
                    state.sinceBest(), String.format(Locale.ROOT, "%.2f", 100 * state.bestTop1()), state.bestEpoch());
            return Outcome.EARLY_STOPPED;
        }
        return Outcome.COMPLETED;
    }

    /** The run's result; a completed or early-stopped run with a test split gets its best checkpoint's test report. */
    private Result finish(Training tr, TrainingState state, Outcome outcome) throws IOException {
        Dataset data = tr.data();
        data.writeBadFiles(run.dir()); // streamed files can turn out unreadable during training
        if (outcome == Outcome.INTERRUPTED) return new Result(outcome, run, state, null, data.bad().size(), "interrupted");
        if (data.splits().test().isEmpty()) {
            String msg = String.format(Locale.ROOT, "no test split (as ImageNet's layout); best validation top-1 %.2f%% at epoch %d",
                    100 * state.bestTop1(), state.bestEpoch());
            log.info(msg);
            return new Result(outcome, run, state, null, data.bad().size(), msg);
        }
        EvalReport test = evaluateBest(data, tr.m(), tr.t());
        return new Result(outcome, run, state, test, data.bad().size(), test.headline());
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
        if (options.initialWeights() != null) log.info("starting weights: {}", options.initialWeights().fill(graph));
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
    private static WeightAverage weightAverage(double decay, Checkpoint from, ComputationGraph graph) {
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
        Checkpoint best = Checkpoints.load(run.best(), false);
        BatchIterator test = data.batches(data.splits().test(), m.height(), m.widthPx(), t.batchSize(), 1, false, 0, t.seed());
        EvalReport report = Evaluator.evaluate(best.evaluationGraph(), test, "test", data.classes());
        report.write(run.dir());
        log.info("best checkpoint (epoch {}): {}", best.state().bestEpoch(), report.headline());
        return report;
    }
}
