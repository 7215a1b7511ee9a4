package io.inception4j.cli;

import io.inception4j.config.ModelConfig;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.graph.ModelSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print a model config's blocks with shapes and sizes.",
                "Builds the config into a DL4J graph and prints one row per block: id, type, output shape (HxWxC), "
                        + "parameters (from the built graph) and multiply-adds (from the shapes); then totals with "
                        + "and without the auxiliary heads."})
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.yaml", description = "A model config, e.g. configs/models/inception-v1.yaml")
    Path model;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var overrides = config.overrides("summary", "model");
        var loaded = ModelConfig.load(model, overrides);
        Blueprint bp = GraphFactory.standard().blueprint(loaded, GraphOptions.defaults());
        ModelSummary summary = ModelSummary.of(bp, bp.create());
        spec.commandLine().getOut().print(summary.render());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
