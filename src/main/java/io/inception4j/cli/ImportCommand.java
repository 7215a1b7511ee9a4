package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import io.inception4j.inference.Bundle;
import io.inception4j.weights.KnownCheckpoints;
import io.inception4j.weights.WeightImport;
import io.inception4j.weights.WeightMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import PyTorch or safetensors weights into a bundle.",
                "FILE is a .pth/.pt (torch.save's zip, read without running any Python) or a .safetensors file, or "
                        + "the name of a published checkpoint in configs/weights/known.yaml, which is downloaded, "
                        + "checked against its SHA-256 and cached. A table in configs/weights/ maps its tensor names "
                        + "onto one of our models; every tensor must find its place and every parameter must be "
                        + "filled, or nothing is written. The bundle works with predict, evaluate and train --init."})
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE|NAME", description = "A weights file, or a known checkpoint's name (e.g. torchvision-inception-v3).")
    String source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.zip", description = "The bundle to write.")
    Path output;

    @Option(names = "--model", paramLabel = "CONFIG", description = "The model config the weights are for; its table is "
            + "found in configs/weights/.")
    Path model;

    @Option(names = "--weights-map", paramLabel = "TABLE", description = "The table to use (instead of finding it from --model).")
    Path table;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line (default: the known "
            + "checkpoint's, else class 0, class 1, ...).")
    Path labels;

    @Option(names = "--sha256", paramLabel = "HEX", description = "The SHA-256 a downloaded checkpoint must have (default: "
            + "the known list's).")
    String sha256;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where downloads are kept (default: ~/.cache/inception4j/weights).")
    Path cache;

    @Option(names = "--known", paramLabel = "FILE", description = "The list of known checkpoints (default: ${DEFAULT-VALUE}).",
            defaultValue = "configs/weights/known.yaml")
    Path known;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var overrides = config.overrides("import", "model");
        Path file = Path.of(source);
        Path mapFile = table;
        Path labelFile = labels;
        if (!Files.exists(file)) {
            KnownCheckpoints list = KnownCheckpoints.load(known);
            if (!list.has(source)) throw new ConfigException(source + ": no such file, and not a known checkpoint (" + known + ")");
            KnownCheckpoints.Entry e = list.get(source);
            Path dir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "inception4j", "weights");
            file = list.fetch(source, dir, sha256);
            if (mapFile == null) mapFile = list.mapFile(e);
            if (labelFile == null && e.labels() != null) labelFile = known.toAbsolutePath().getParent().resolve(e.labels());
        }
        if (mapFile == null) mapFile = findTable();
        WeightImport.Imported in = WeightImport.load(file, mapFile, overrides);
        Bundle b = WeightImport.bundle(in, WeightImport.labels(labelFile, in.model().config().classes()));
        b.write(output);
        var out = spec.commandLine().getOut();
        out.printf("imported %d tensors (%,d values) from %s into %d layers of %s (%s); wrote %s without the aux heads: %,d parameters%n",
                in.report().tensors(), in.report().values(), file.getFileName(), in.report().layers(), in.model().config().name(),
                mapFile.getFileName(), output, b.network().numParams());
        out.flush();
        return ExitCodes.OK;
    }

    /** The one table in configs/weights/ made for --model. */
    private Path findTable() throws IOException {
        if (model == null) throw new ConfigException("say which model the weights are for: --model CONFIG or --weights-map TABLE");
        Path dir = model.toAbsolutePath().normalize().getParent().resolveSibling("weights");
        List<Path> fits = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("known.yaml")).sorted().toList()) {
                    WeightMap m = WeightMap.load(p);
                    if (p.getParent().resolve(m.model()).normalize().equals(model.toAbsolutePath().normalize())) fits.add(p);
                }
            }
        }
        if (fits.size() == 1) return fits.get(0);
        throw new ConfigException(fits.isEmpty() ? "no table in " + dir + " is made for " + model + "; give one with --weights-map"
                : "several tables in " + dir + " are made for " + model + " " + fits.stream().map(p -> p.getFileName().toString()).toList()
                        + ": choose one with --weights-map");
    }
}
