package io.inception4j.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.config.Binder;
import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.Overrides;
import io.inception4j.config.SweepConfig;
import io.inception4j.config.YamlDocument;
import io.inception4j.files.AtomicFiles;
import io.inception4j.report.Charts;
import io.inception4j.train.Metrics;
import io.inception4j.train.StopSignal;
import io.inception4j.train.Trainer;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sweep: Arbiter proposes candidates (random or grid search over the sweep's spaces) and stops
 * starting them at the budget; each candidate is an ordinary training run of the base experiment with the
 * sweep's {@code set} and the candidate's values as overrides. Results go to {@code candidates.csv} as they
 * come, so an interrupted sweep resumes without rerunning finished candidates (same seed, same proposals).
 */
public final class Sweep {
    private static final Logger log = LoggerFactory.getLogger(Sweep.class);

    /**
     * @param sweepsRoot where sweep directories go
     * @param runsRoot   where candidate runs go
     * @param observers  watch every candidate's training (the live UI)
     */
    public record Options(Path sweepsRoot, Path runsRoot, Path dataDir, Map<String, String> env, StopSignal stop,
                          List<io.inception4j.train.TrainingObserver> observers) {
        public Options {
            observers = observers == null ? List.of() : List.copyOf(observers);
        }

        public Options(Path sweepsRoot, Path runsRoot, Path dataDir, Map<String, String> env, StopSignal stop) {
            this(sweepsRoot, runsRoot, dataDir, env, stop, List.of());
        }
    }

    public record Result(Path dir, List<SweepTable.Row> rows, Optional<SweepTable.Row> best, String summary) {}

    private final SweepConfig sweep;
    private final Path experiment;
    private final Path dir;
    private final Options options;
    private final SweepTable table;

    private Sweep(SweepConfig sweep, Path experiment, Path dir, Options options) throws IOException {
        this.sweep = sweep;
        this.experiment = experiment;
        this.dir = dir;
        this.options = options;
        this.table = new SweepTable(dir.resolve("candidates.csv"), List.copyOf(sweep.space().keySet()));
    }

    /** Reads and checks a sweep file: every swept path must be a config value that takes every value. */
    public static SweepConfig check(Path sweepFile, Overrides overrides) {
        YamlDocument doc = YamlDocument.load(sweepFile);
        overrides.applyTo(doc, "sweep");
        SweepConfig sweep = Binder.bind(doc, SweepConfig.class);
        validate(doc, sweep, experimentOf(sweepFile, sweep));
        return sweep;
    }

    private static Path experimentOf(Path sweepFile, SweepConfig sweep) {
        return sweepFile.toAbsolutePath().getParent().resolve(sweep.experiment()).normalize();
    }

    /** Starts a sweep in {@code <sweepsRoot>/<name>}, or continues the one already there. */
    public static Result run(Path sweepFile, Overrides overrides, Options options) throws IOException {
        YamlDocument doc = YamlDocument.load(sweepFile);
        overrides.applyTo(doc, "sweep");
        SweepConfig sweep = Binder.bind(doc, SweepConfig.class);
        Path experiment = experimentOf(sweepFile, sweep);
        validate(doc, sweep, experiment);
        Path dir = options.sweepsRoot().resolve(sweep.name());
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve("sweep.yaml"), "# resolved from " + sweepFile + "\n" + Experiment.toYaml(doc.root()));
        return new Sweep(sweep, experiment, dir, options).execute();
    }

    /** The sweep's index.html: trials ranked, linked to their run pages. */
    private void writePage(List<SweepTable.Row> rows) {
        try {
            List<String> logPaths = sweep.space().entrySet().stream().filter(e -> e.getValue().logUniform() != null)
                    .map(Map.Entry::getKey).toList();
            io.inception4j.report.SweepPage.write(dir, sweep.name(), sweep.score().name().toLowerCase(Locale.ROOT),
                    sweep.score() == SweepConfig.Score.TRAIN_LOSS, List.copyOf(sweep.space().keySet()), logPaths,
                    rows.stream().map(r -> new io.inception4j.report.SweepPage.Trial(r.index(), r.values(), r.score(), r.epochs(),
                            r.seconds(), r.status().name().toLowerCase(Locale.ROOT), r.reason(),
                            r.run() == null || r.run().isBlank() ? null : Path.of(r.run()))).toList());
        } catch (IOException | RuntimeException e) {
            log.warn("could not write {}: {}", dir.resolve("index.html"), e.toString());
        }
    }

    /** Every swept path must be a config value, and every value must suit it: try each on the experiment. */
    private static void validate(YamlDocument doc, SweepConfig sweep, Path experiment) {
        if (!Files.exists(experiment)) throw doc.error("/experiment", "no such experiment file: " + experiment);
        for (var e : sweep.space().entrySet()) {
            String path = e.getKey();
            String ns = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            if (!List.of("model", "data", "train").contains(ns)) {
                throw doc.error("/space/" + path.replace("/", "~1"), "expected a path starting with model., data. or train., got '" + path + "'");
            }
            var r = e.getValue();
            List<String> samples = new ArrayList<>();
            if (r.uniform() != null) samples.add(String.valueOf(r.uniform().get(0)));
            if (r.logUniform() != null) samples.add(String.valueOf(r.logUniform().get(0)));
            if (r.integer() != null) samples.add(String.valueOf(r.integer().get(0)));
            if (r.choice() != null) r.choice().forEach(v -> samples.add(SweepSpace.yaml(v)));
            for (String v : samples) {
                List<String> sets = new ArrayList<>(sweep.set());
                sets.add(path + "=" + v);
                try {
                    Experiment.load(experiment, Overrides.parse(sets));
                } catch (ConfigException bad) {
                    throw doc.error("/space/" + path.replace("/", "~1"), "'" + path + "' cannot take " + v + ": " + bad.getMessage());
                }
            }
        }
    }

    private Result execute() throws IOException {
        SweepSpace space = new SweepSpace(sweep.space());
        CandidateGenerator generator = sweep.search() == SweepConfig.Search.RANDOM
                ? new RandomSearchGenerator(space, null)
                : new GridSearchCandidateGenerator(space, sweep.gridPoints(), GridSearchCandidateGenerator.Mode.Sequential, null);
        List<TerminationCondition> stops = new ArrayList<>();
        stops.add(new MaxCandidatesCondition(sweep.candidates()));
        if (sweep.maxMinutes() > 0) stops.add(new MaxTimeCondition((long) (sweep.maxMinutes() * 60), TimeUnit.SECONDS));
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator)
                .scoreFunction(new Score(sweep.score() == SweepConfig.Score.TRAIN_LOSS))
                .terminationConditions(stops.toArray(TerminationCondition[]::new))
                .rngSeed(sweep.seed())
                .build();
        // One candidate at a time: a training run uses every core.
        new LocalOptimizationRunner(1, config, new Tasks()).execute();
        return report();
    }

    /** Arbiter's task factory: each candidate is a training run (or, on resume, its recorded result). */
    private final class Tasks implements TaskCreator {
        @Override
        public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider, ScoreFunction scoreFunction,
                                                   List<StatusListener> statusListeners, IOptimizationRunner runner) {
            return () -> runCandidate(candidate);
        }

        @Override
        public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource, Properties props,
                                                   ScoreFunction scoreFunction, List<StatusListener> statusListeners, IOptimizationRunner runner) {
            return () -> runCandidate(candidate);
        }
    }

    @SuppressWarnings("unchecked")
    private OptimizationResult runCandidate(Candidate candidate) throws IOException {
        int index = candidate.getIndex();
        Map<String, String> values = (Map<String, String>) candidate.getValue();
        long started = System.currentTimeMillis();
        SweepTable.Row done = table.get(index);
        if (done != null && done.status() != SweepTable.Status.INTERRUPTED && done.values().equals(values)) {
            log.info("candidate {} {}: already {} (score {}), not rerun", index, values, done.status().name().toLowerCase(), done.score());
            return result(candidate, done.score(), done.status() == SweepTable.Status.COMPLETED, null, started);
        }
        if (options.stop() != null && options.stop().requested()) {
            return result(candidate, null, false, "sweep interrupted before this candidate", started);
        }
        log.info("candidate {}: {}", index, values);
        List<String> sets = new ArrayList<>(sweep.set());
        sets.addAll(SweepSpace.overrides(values));
        SweepTable.Row row;
        try {
            Experiment exp = Experiment.load(experiment, Overrides.parse(sets));
            exp = new Experiment(sweep.name() + "-c" + index, exp.model(), exp.data(), exp.train());
            StopSignal stop = options.stop() == null ? new StopSignal() : options.stop();
            Trainer.Result r = Trainer.start(exp, new Trainer.Options(options.dataDir(), options.env(),
                    options.runsRoot().resolve(sweep.name()), stop, null, options.observers(), null, null));
            List<Metrics.Row> metrics = new Metrics(r.run().metrics()).read();
            double secs = (System.currentTimeMillis() - started) / 1000.0;
            Double score = switch (r.outcome()) {
                case COMPLETED, EARLY_STOPPED -> sweep.score() == SweepConfig.Score.TRAIN_LOSS
                        ? metrics.get(metrics.size() - 1).trainLoss() : r.state().bestTop1();
                default -> null;
            };
            SweepTable.Status status = switch (r.outcome()) {
                case COMPLETED, EARLY_STOPPED -> SweepTable.Status.COMPLETED;
                case INTERRUPTED -> SweepTable.Status.INTERRUPTED;
                case DIVERGED -> SweepTable.Status.FAILED;
            };
            row = new SweepTable.Row(index, values, status, score, metrics.size(), secs,
                    status == SweepTable.Status.COMPLETED ? "" : r.message(), r.run().dir().toString());
        } catch (Exception | OutOfMemoryError e) {
            log.warn("candidate {} failed: {}", index, e.toString());
            row = new SweepTable.Row(index, values, SweepTable.Status.FAILED, null, 0,
                    (System.currentTimeMillis() - started) / 1000.0, e.getClass().getSimpleName() + ": " + e.getMessage(), "");
        }
        table.put(row);
        return result(candidate, row.score(), row.status() == SweepTable.Status.COMPLETED, row.reason(), started);
    }

    private static OptimizationResult result(Candidate c, Double score, boolean ok, String reason, long started) {
        long now = System.currentTimeMillis();
        CandidateInfo info = new CandidateInfo(c.getIndex(), ok ? CandidateStatus.Complete : CandidateStatus.Failed, score,
                started, started, now, c.getFlatParameters(), ok ? null : reason);
        return new OptimizationResult(c, score, c.getIndex(), null, info, null);
    }

    /** Writes the best experiment and the plots, and summarises. */
    private Result report() throws IOException {
        List<SweepTable.Row> rows = table.rows();
        boolean minimize = sweep.score() == SweepConfig.Score.TRAIN_LOSS;
        Comparator<SweepTable.Row> byScore = Comparator.comparingDouble(SweepTable.Row::score);
        Optional<SweepTable.Row> best = rows.stream().filter(r -> r.score() != null)
                .max(minimize ? byScore.reversed() : byScore);
        if (best.isPresent()) {
            List<String> sets = new ArrayList<>(baseSets());
            sets.addAll(SweepSpace.overrides(best.get().values()));
            StringBuilder y = new StringBuilder("# The best candidate of sweep '" + sweep.name() + "' (candidate " + best.get().index()
                    + ", " + sweep.score().name().toLowerCase() + " " + String.format(Locale.ROOT, "%.4f", best.get().score())
                    + "), on the base experiment's full budget.\n# Run it with: scripts/inception4j train " + dir.resolve("best-experiment.yaml") + "\n");
            ObjectNode base = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper(YamlDocument.yamlFactory())
                    .readTree(experiment.toFile());
            Path expDir = experiment.getParent();
            y.append("name: ").append(base.path("name").asText()).append("-best\n");
            for (String k : List.of("model", "data", "train")) { // relative to this file, so the folder can move
                Path target = expDir.resolve(base.path(k).asText()).normalize();
                y.append(k).append(": ").append(dir.toAbsolutePath().normalize().relativize(target)).append('\n');
            }
            y.append("set:\n");
            for (String s : sets) y.append("  - \"").append(s.replace("\"", "\\\"")).append("\"\n");
            AtomicFiles.writeString(dir.resolve("best-experiment.yaml"), y.toString());
        }
        for (String path : sweep.space().keySet()) {
            List<SweepTable.Row> scored = rows.stream().filter(r -> r.score() != null).toList();
            if (scored.isEmpty()) continue;
            var r = sweep.space().get(path);
            Charts.scatter(dir.resolve("score-vs-" + path.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png"),
                    sweep.name() + ": " + sweep.score().name().toLowerCase() + " against " + path, path,
                    sweep.score().name().toLowerCase(), scored.stream().map(x -> x.values().get(path)).toList(),
                    scored.stream().map(SweepTable.Row::score).toList(), r.logUniform() != null);
        }
        writePage(rows);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-9s %s %9s %6s %9s %-11s %s%n", "candidate",
                String.join(" ", sweep.space().keySet().stream().map(k -> String.format("%-16s", k)).toList()),
                "score", "epochs", "seconds", "status", "reason"));
        for (SweepTable.Row r : rows) {
            s.append(String.format(Locale.ROOT, "%-9d %s %9s %6d %9.0f %-11s %s%n", r.index(),
                    String.join(" ", sweep.space().keySet().stream().map(k -> String.format("%-16s", r.values().get(k))).toList()),
                    r.score() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.score()), r.epochs(), r.seconds(),
                    r.status().name().toLowerCase(), r.reason() == null ? "" : r.reason()));
        }
        best.ifPresent(b -> s.append("best: candidate ").append(b.index()).append(' ').append(b.values())
                .append("; experiment: ").append(dir.resolve("best-experiment.yaml")).append('\n'));
        return new Result(dir, rows, best, s.toString());
    }

    /** The experiment's own overrides: the best experiment keeps them but not the sweep's per-candidate budget. */
    private List<String> baseSets() throws IOException {
        var node = new com.fasterxml.jackson.databind.ObjectMapper(YamlDocument.yamlFactory()).readTree(experiment.toFile()).path("set");
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Arbiter's score function; scores are computed by the tasks, so this only says which way is better. */
    static final class Score implements ScoreFunction {
        private final boolean minimize;

        Score(boolean minimize) {
            this.minimize = minimize;
        }

        @Override
        public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
            throw new UnsupportedOperationException("candidates are scored by their training runs");
        }

        @Override
        public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
            throw new UnsupportedOperationException("candidates are scored by their training runs");
        }

        @Override
        public boolean minimize() {
            return minimize;
        }

        @Override
        public List<Class<?>> getSupportedModelTypes() {
            return List.of(Object.class);
        }

        @Override
        public List<Class<?>> getSupportedDataTypes() {
            return List.of(Object.class);
        }
    }
}
