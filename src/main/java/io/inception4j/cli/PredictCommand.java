package io.inception4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.data.Crops;
import io.inception4j.inference.Classifier;
import io.inception4j.onnx.OnnxModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify images with an exported bundle or ONNX model.",
                "A .onnx file from 'export --format onnx' runs in ONNX Runtime, with the same preprocessing and output.",
                "Prints the top-k labels with their probabilities for each image file, or for each image in a "
                        + "folder (searched recursively); any size of JPEG or PNG, grayscale or colour.",
                "An image that cannot be read is reported in its place and the rest are still classified; a damaged "
                        + "one that can be (a JPEG cut short) is classified with a warning. A closing line counts both.",
                "Exit codes: 0 when every image got a prediction, 1 when some could not be read, 2 for a bad bundle, "
                        + "model or argument."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE|MODEL.onnx",
            description = "A bundle written by 'inception4j export', or a .onnx file written by 'inception4j export --format onnx'.")
    Path bundle;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE|FOLDER")
    List<Path> images;

    @Option(names = {"-k", "--top"}, defaultValue = "3", description = "How many labels per image (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Option(names = "--batch", defaultValue = "16", description = "Images (or crops) per network call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--crops", defaultValue = "1", paramLabel = "1|10|144",
            description = "Crops per image, softmax averaged: 1 (centre), 10 (corners, centre, mirrors) or 144 "
                    + "(the GoogLeNet paper's) (default: ${DEFAULT-VALUE}).")
    int crops;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Crops.check(crops);
        // Same preprocessing, batching and output either way: only the runtime differs.
        Classifier classifier = bundle.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")
                ? OnnxModel.classifier(bundle) : Classifier.load(bundle);
        List<Path> files = Classifier.expand(images);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        ObjectMapper mapper = new ObjectMapper();
        int failed = 0, damaged = 0, total = 0;
        for (Classifier.Result r : classifier.classify(files, k, Math.max(1, batch), crops)) {
            total++;
            if (!r.ok()) failed++;
            if (r.warning() != null) damaged++;
            if (json) {
                ObjectNode line = mapper.createObjectNode().put("file", r.file().toString());
                if (r.ok()) {
                    var arr = line.putArray("predictions");
                    r.predictions().forEach(p -> arr.addObject().put("label", p.label()).put("probability", p.probability()));
                    if (r.warning() != null) line.put("warning", r.warning());
                } else {
                    line.put("error", r.error());
                }
                out.println(mapper.writeValueAsString(line));
            } else if (r.ok()) {
                out.println(r.file() + "  " + r.predictions().stream()
                        .map(p -> String.format(Locale.ROOT, "%s %.1f%%", p.label(), 100 * p.probability()))
                        .collect(Collectors.joining(", ")) + (r.warning() == null ? "" : "  (warning: " + r.warning() + ")"));
            } else {
                out.println(r.file() + "  could not be read: " + r.error());
            }
        }
        // The summary goes to stderr with --json, so that stdout stays one JSON object per line.
        var summary = json ? err : out;
        summary.printf(Locale.ROOT, "%d of %d image%s predicted%s%s%n", total - failed, total, total == 1 ? "" : "s",
                failed == 0 ? "" : "; " + failed + " could not be read", damaged == 0 ? "" : "; " + damaged + " damaged (see warnings)");
        out.flush();
        err.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
