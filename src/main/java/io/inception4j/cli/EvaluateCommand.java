package io.inception4j.cli;

import io.inception4j.train.EvalReport;
import io.inception4j.train.RunEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a run, a checkpoint or a bundle on its test split.",
                "Rebuilds the split the run was trained with (from its data config and seed) and reports top-1, "
                        + "top-5, per-class accuracy and the confusion matrix (CSV and PNG). A run directory means "
                        + "its best checkpoint."})
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR|CHECKPOINT|BUNDLE",
            description = "A run directory, a checkpoint .zip inside one, or a bundle from 'export'.")
    Path target;

    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    DataOption data;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the report files go (default: RUN_DIR/evaluation).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EvalReport r = RunEvaluation.evaluate(target, split, data.dir, System.getenv(), out);
        spec.commandLine().getOut().print(r.table());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
