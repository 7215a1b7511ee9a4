package io.inception4j.cli;

import io.inception4j.config.DataConfig;
import io.inception4j.data.SyntheticImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "gen-images", mixinStandardHelpOptions = true,
        description = {"Write a synthetic image set for tests and benchmarks.",
                "In the folders, split_folders or imagenet layout: JPEGs whose class shows in their colours and "
                        + "shapes, optionally with damaged files (truncated, empty, not an image, a header over the "
                        + "pixel limit). Same arguments, same files."})
final class GenImagesCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Where to write the set (created).")
    Path dir;

    @Option(names = "--layout", defaultValue = "folders", paramLabel = "LAYOUT",
            description = "folders, split_folders or imagenet (default: ${DEFAULT-VALUE}).")
    String layout;

    @Option(names = "--classes", defaultValue = "10", description = "Number of classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--per-class", defaultValue = "100", paramLabel = "N",
            description = "Training images per class (default: ${DEFAULT-VALUE}); val and test get a quarter each.")
    int perClass;

    @Option(names = "--size", defaultValue = "500x375", paramLabel = "WxH",
            description = "Image size in pixels (default: ${DEFAULT-VALUE}, ImageNet's typical size).")
    String size;

    @Option(names = "--quality", defaultValue = "90", description = "JPEG quality (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(names = "--corrupt", defaultValue = "0", paramLabel = "N", description = "Damaged files to add (default: ${DEFAULT-VALUE}).")
    int corrupt;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--distinct", defaultValue = "0", paramLabel = "N",
            description = "Write only about N distinct JPEGs and make every further file a hard link to one of its class's "
                    + "(0, the default: every file its own). A million-entry set then fits a small disk; the pipeline still "
                    + "opens and decodes every file.")
    int distinct;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DataConfig.Layout l;
        try {
            l = DataConfig.Layout.valueOf(layout.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--layout " + layout + ": expected folders, split_folders or imagenet");
        }
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2 || !wh[0].matches("\\d+") || !wh[1].matches("\\d+")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--size " + size + ": expected WIDTHxHEIGHT, e.g. 500x375");
        }
        SyntheticImages.Spec s;
        try {
            s = new SyntheticImages.Spec(l, classes, perClass, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), quality, corrupt, seed,
                    distinct);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int n = SyntheticImages.write(s, dir);
        spec.commandLine().getOut().printf("wrote %,d files (%s layout, %d classes, %s) to %s%n", n, layout, classes, size, dir);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
