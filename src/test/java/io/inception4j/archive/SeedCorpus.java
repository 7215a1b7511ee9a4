package io.inception4j.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Preprocessing;
import io.inception4j.data.SyntheticImages;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.inference.Bundle;
import io.inception4j.train.Checkpoints;
import io.inception4j.train.TrainingState;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the seed corpus of {@link FuzzTargetsTest} (committed under src/test/resources): small valid inputs
 * of each kind and the damaged shapes they come in. Regenerate with
 * {@code java -cp target/classes:target/test-classes:$(cat target/classpath.txt) io.inception4j.archive.SeedCorpus}
 * (the test classpath's jars are needed too: run it from the IDE or via mvn exec if so).
 */
public final class SeedCorpus {
    static final Path ROOT = Path.of("src/test/resources/io/inception4j/archive/FuzzTargetsTestInputs");
    static final String TINY = """
            name: tiny
            input: [16, 16, 3]
            classes: 3
            blocks:
              - {id: conv1, type: conv, filters: 4, kernel: 3, stride: 2}
              - {id: pool, type: global_avgpool}
              - {id: out, type: output}
            """;

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("onnx")) { // only the ONNX models: the other files stay as committed
            onnxModels();
            return;
        }
        Path configs = Files.createDirectories(ROOT.resolve("modelConfigs"));
        Files.writeString(configs.resolve("tiny.yaml"), TINY);
        for (String f : List.of("conv5x5-reduced.yaml", "inception-reduced.yaml", "factorized-7x7.yaml")) {
            Files.copy(Path.of("configs/examples", f), configs.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(configs.resolve("truncated.yaml"), TINY.substring(0, TINY.length() / 2));
        Files.writeString(configs.resolve("duplicate-key.yaml"), TINY.replace("classes: 3", "classes: 3\nclasses: 4"));
        Files.writeString(configs.resolve("wrong-type.yaml"), TINY.replace("filters: 4", "filters: many"));
        Files.writeString(configs.resolve("billion-laughs.yaml"), """
                a: &a ["x","x","x","x","x","x","x","x","x"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                name: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                """);
        Files.writeString(configs.resolve("deep.yaml"), "name: x\nblocks: " + "[".repeat(5000) + "]".repeat(5000) + "\n");

        var model = ModelConfig.parse("tiny.yaml", TINY, Overrides.none());
        ComputationGraph g = GraphFactory.standard().blueprint(model, GraphOptions.defaults()).create();
        Path bundles = Files.createDirectories(ROOT.resolve("bundles"));
        Path bundle = bundles.resolve("valid.bundle");
        new Bundle(g, List.of("a", "b", "c"), new Preprocessing(16, 16, 1.14), new ObjectMapper().createObjectNode(), TINY, "name: d\n")
                .write(bundle);
        variants(bundle);

        Path checkpoints = Files.createDirectories(ROOT.resolve("checkpoints"));
        Path ckpt = checkpoints.resolve("valid.zip");
        Checkpoints.save(ckpt, g, TrainingState.start(), TINY, List.of("a", "b", "c"), g.params().dup());
        variants(ckpt);

        onnxModels();

        Path images = Files.createDirectories(ROOT.resolve("images"));
        var spec = new SyntheticImages.Spec(io.inception4j.config.DataConfig.Layout.FOLDERS, 1, 1, 24, 18, 80, 0, 1);
        byte[] jpeg = SyntheticImages.jpeg(spec, 0, new java.util.Random(1));
        Files.write(images.resolve("tiny.jpg"), jpeg);
        Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.write(images.resolve("header-only.jpg"), Arrays.copyOf(jpeg, 20));
        Files.write(images.resolve("huge.png"), SyntheticImages.hugePng(40_000, 40_000));
        Files.write(images.resolve("gif-junk.gif"), "GIF89a\u0001\u0000\u0001\u0000junk".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(images.resolve("bmp-junk.bmp"), "BM\u0000\u0000junk".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(images.resolve("text.jpg"), "not an image".getBytes(StandardCharsets.US_ASCII));
    }

    /** A valid export of the tiny network, its damaged copies, and a well-formed model that is not ours. */
    static void onnxModels() throws IOException {
        Path onnx = Files.createDirectories(ROOT.resolve("onnxModels"));
        var model = io.inception4j.onnx.OnnxTestModels.tiny();
        Path valid = onnx.resolve("valid.onnx");
        Files.write(valid, model.toByteArray());
        variants(valid);
        Files.write(onnx.resolve("foreign.onnx"), model.toBuilder().clearMetadataProps().build().toByteArray());
        Files.write(onnx.resolve("text.onnx"), "not a model".getBytes(StandardCharsets.US_ASCII));
    }

    /** Truncated, bit-flipped and emptied copies of a valid file beside it. */
    private static void variants(Path valid) throws IOException {
        byte[] b = Files.readAllBytes(valid);
        String base = valid.getFileName().toString().replaceAll("\\.[a-z]+$", "");
        Files.write(valid.resolveSibling(base + "-truncated"), Arrays.copyOf(b, b.length / 2));
        byte[] flipped = b.clone();
        for (int i = 100; i < flipped.length; i += 997) flipped[i] ^= 0x5A;
        Files.write(valid.resolveSibling(base + "-flipped"), flipped);
        Files.write(valid.resolveSibling(base + "-header"), Arrays.copyOf(b, 64));
    }
}
