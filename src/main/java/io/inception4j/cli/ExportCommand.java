package io.inception4j.cli;

import io.inception4j.inference.Bundle;
import io.inception4j.train.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a self-contained inference bundle from a run.",
                "One file holds the network without its auxiliary heads and optimiser state, the class labels, the "
                        + "preprocessing, the resolved configs, the provenance (run, code version, split, test "
                        + "accuracy) and checksums of every entry."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR|CHECKPOINT", description = "A run directory or a checkpoint .zip inside one.")
    Path target;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "BUNDLE", description = "The bundle file to write.")
    Path output;

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "best|last|EPOCH",
            description = "Which checkpoint of a run directory (default: ${DEFAULT-VALUE}).")
    String which;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Bundle b = Exporter.export(target, which, output);
        var out = spec.commandLine().getOut();
        out.printf("wrote %s: %s, %d classes, input %dx%d, %,d parameters (from %s)%n", output, b.info().path("model").asText(),
                b.labels().size(), b.preprocessing().height(), b.preprocessing().width(), b.network().numParams(),
                b.info().path("checkpoint").asText());
        out.flush();
        return ExitCodes.OK;
    }
}
