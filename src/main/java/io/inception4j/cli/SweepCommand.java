package io.inception4j.cli;

import io.inception4j.sweep.Sweep;
import io.inception4j.train.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Search hyperparameters with DL4J's Arbiter.",
                "Random or grid search over any config value. Each candidate is an ordinary training run; results go "
                        + "to results/sweeps/<name>/: candidates.csv, score-vs-<path>.png, index.html (the trials "
                        + "ranked, linked to their runs) and best-experiment.yaml, which 'train' runs as is.",
                "Running the same sweep again resumes it: finished candidates are not rerun. Ctrl-C stops the "
                        + "current candidate cleanly."})
final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "A sweep file, e.g. configs/sweeps/googlenet-flowers17-lr-aux.yaml")
    Path sweep;

    @Mixin
    DataOption data;

    @Option(names = "--sweeps", paramLabel = "DIR", defaultValue = "results/sweeps", description = "Where sweep directories go (default: ${DEFAULT-VALUE}).")
    Path sweeps;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "results/runs/sweeps", description = "Where candidate runs go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Mixin
    ConfigOptions config;

    @Mixin
    UiOptions ui;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var overrides = config.overrides("sweep", "sweep");
        StopSignal stop = new StopSignal();
        Sweep.Result r;
        try (Interrupts ignored = Interrupts.stopOnCtrlC(stop)) {
            r = Sweep.run(sweep, overrides, new Sweep.Options(sweeps, runs, data.dir, System.getenv(), stop,
                    ui.observers(spec.commandLine().getOut(), spec.commandLine().getErr())));
        }
        spec.commandLine().getOut().print(r.summary());
        spec.commandLine().getOut().println("sweep: " + r.dir());
        spec.commandLine().getOut().flush();
        return stop.requested() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }
}
