package io.inception4j.cli;

import io.inception4j.config.Experiment;
import io.inception4j.train.EpochFitter;
import io.inception4j.train.StopSignal;
import io.inception4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an experiment and evaluate it on the test split.",
                "An experiment names a model, a dataset and a recipe; without one: GoogLeNet on Oxford 17-flowers "
                        + "(configs/experiments/googlenet-flowers17.yaml).",
                "Each run gets results/runs/<time>-<name>/ with the resolved configs, provenance, splits, metrics.csv, "
                        + "learning curves, train.log, checkpoints and index.html, a page of it all. Ctrl-C saves a "
                        + "checkpoint; --resume continues exactly. --ui shows DL4J's training UI live."})
final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_EXPERIMENT = "configs/experiments/googlenet-flowers17.yaml";

    @Parameters(index = "0", arity = "0..1", paramLabel = "EXPERIMENT.yaml", description = "Default: " + DEFAULT_EXPERIMENT)
    Path experiment;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its newest checkpoint.")
    Path resume;

    @Mixin
    DataOption data;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "results/runs", description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(names = "--init", paramLabel = "MODEL.zip", description = "Start from the weights in a bundle (e.g. from import) "
            + "or a checkpoint instead of random ones; a classifier for another number of classes starts afresh.")
    Path init;

    @Option(names = "--stop-after-batches", paramLabel = "N", description = "Stop after N batches of this invocation, "
            + "with a checkpoint as on Ctrl-C (continue with --resume): a measured slice of a long run.")
    Integer stopAfterBatches;

    @Option(names = "--print-config", description = "Print the resolved configs and exit.")
    boolean printConfig;

    @Mixin
    ConfigOptions config;

    @Mixin
    UiOptions ui;

    @Mixin
    DistributedOptions distributed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var overrides = config.overrides("train", "model", "data", "train");
        StopSignal stop = new StopSignal();
        if (stopAfterBatches != null && stopAfterBatches < 1) {
            throw new io.inception4j.config.ConfigException("--stop-after-batches: expected a number of batches >= 1, got " + stopAfterBatches);
        }
        Trainer.Options options = new Trainer.Options(data.dir, System.getenv(), runs, stop, stopAfter(stop));
        if (resume == null && printConfig) {
            spec.commandLine().getOut().print(Experiment.load(experimentFile(), overrides).resolvedYaml());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        if (init != null) {
            if (resume != null) throw new io.inception4j.config.ConfigException("--init starts a new run; --resume continues one from its own checkpoint: give one of them");
            options = options.withInitialWeights(io.inception4j.weights.PretrainedWeights.from(init));
        }
        EpochFitter fitter = distributed.fitter();
        if (fitter != null) options = options.withFitter(fitter);
        options = options.withObservers(ui.observers(spec.commandLine().getOut(), spec.commandLine().getErr()));
        Trainer.Result r;
        try (Interrupts ignored = Interrupts.stopOnCtrlC(stop)) {
            r = resume != null ? Trainer.resume(resume, overrides, options)
                    : Trainer.start(Experiment.load(experimentFile(), overrides), options);
        }
        var out = spec.commandLine().getOut();
        out.println("run: " + r.run().dir());
        if (r.skippedImages() > 0) out.println("skipped unreadable images: " + r.skippedImages());
        out.println(r.outcome().name().toLowerCase() + ": " + r.message());
        out.flush();
        return switch (r.outcome()) {
            case COMPLETED, EARLY_STOPPED -> ExitCodes.OK;
            case INTERRUPTED -> stoppedAsAsked ? ExitCodes.OK : ExitCodes.INTERRUPTED;
            case DIVERGED -> ExitCodes.FAILURE;
        };
    }

    /** Set when --stop-after-batches, not Ctrl-C, stopped the run: then stopping is the run's success. */
    private volatile boolean stoppedAsAsked;

    /** Requests the stop after --stop-after-batches batches (the trainer stops at that batch's end); null without it. */
    private Trainer.BatchListener stopAfter(StopSignal stop) {
        if (stopAfterBatches == null) return null;
        int[] fitted = {0};
        return (epoch, batch, loss) -> {
            if (++fitted[0] == stopAfterBatches) {
                stoppedAsAsked = true;
                stop.request();
            }
        };
    }

    private Path experimentFile() {
        return experiment != null ? experiment : Path.of(DEFAULT_EXPERIMENT);
    }
}
