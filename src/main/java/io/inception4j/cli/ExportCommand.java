package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import io.inception4j.inference.Bundle;
import io.inception4j.onnx.OnnxExport;
import io.inception4j.train.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write an inference bundle or an ONNX model from a run.",
                "A bundle is one file that holds the network without its auxiliary heads and optimiser state, the class "
                        + "labels, the preprocessing, the resolved configs, the provenance (run, code version, split, test "
                        + "accuracy) and checksums of every entry.",
                "--format onnx writes the same network (from a run, or from a bundle) as an ONNX model (opset " + OnnxExport.OPSET + ") for ONNX Runtime, "
                        + "TensorRT, OpenVINO and the like: input 'input' [batch, 3, H, W], outputs 'logits' and "
                        + "'probabilities' [batch, classes]; labels and preprocessing in its metadata_props. A layer with "
                        + "no ONNX form is named and nothing is written (exit code 2)."})
final class ExportCommand implements Callable<Integer> {
    enum Format { bundle, onnx }

    @Parameters(index = "0", paramLabel = "RUN_DIR|CHECKPOINT|BUNDLE",
            description = "A run directory, a checkpoint .zip inside one, or (with --format onnx) a bundle.")
    Path target;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The bundle or .onnx file to write.")
    Path output;

    @Option(names = "--format", defaultValue = "bundle", paramLabel = "bundle|onnx",
            description = "What to write (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--fold-batchnorm",
            description = "ONNX: fold each batch norm into the convolution before it, instead of BatchNormalization nodes.")
    boolean foldBatchNorm;

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "best|last|EPOCH",
            description = "Which checkpoint of a run directory (default: ${DEFAULT-VALUE}).")
    String which;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        boolean fromBundle = Files.isRegularFile(target) && isBundle(target);
        if (format == Format.bundle) {
            if (fromBundle) throw new ConfigException(target + " is already a bundle; to convert it, add --format onnx");
            Bundle b = Exporter.export(target, which, output);
            out.printf("wrote %s: %s, %d classes, input %dx%d, %,d parameters (from %s)%n", output, b.info().path("model").asText(),
                    b.labels().size(), b.preprocessing().height(), b.preprocessing().width(), b.network().numParams(),
                    b.info().path("checkpoint").asText());
        } else {
            Bundle b = fromBundle ? Bundle.read(target) : Exporter.bundle(target, which);
            OnnxExport.Written w = OnnxExport.write(b, output, new OnnxExport.Options(foldBatchNorm));
            out.printf("wrote %s: ONNX opset %d, %s, %d classes, input %dx%d, %,d parameters, %d nodes, %,d bytes (from %s)%n", output,
                    OnnxExport.OPSET, b.info().path("model").asText(), b.labels().size(), b.preprocessing().height(),
                    b.preprocessing().width(), w.parameters(), w.nodes(), w.bytes(),
                    fromBundle ? target.getFileName() : b.info().path("checkpoint").asText());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static boolean isBundle(Path f) {
        try (var zip = new java.util.zip.ZipFile(f.toFile())) {
            return zip.getEntry("inception4j/bundle.json") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
