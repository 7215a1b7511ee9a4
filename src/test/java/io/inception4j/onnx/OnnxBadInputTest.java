package io.inception4j.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.Cli;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Preprocessing;
import io.inception4j.files.AtomicFiles;
import io.inception4j.inference.Bundle;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What goes wrong, said in one line: a network with a layer that has no ONNX form (named, exit code 2, no file
 * left behind), and files given to predict as .onnx that are not our models (bounded in size, refused by name).
 */
class OnnxBadInputTest {
    @TempDir
    Path tmp;

    /** conv -> upsampling (no ONNX form here) -> global pool -> classifier. */
    static Bundle withUpsampling() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("input")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).build(), "input")
                .addLayer("upsample", new Upsampling2D.Builder(2).build(), "conv")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "upsample")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return new Bundle(g, List.of("a", "b", "c"), new Preprocessing(8, 8, 1.14), new ObjectMapper().createObjectNode(), "", "");
    }

    @Test
    void aLayerWithNoOnnxFormIsNamedInOneLineAndNothingIsWritten() throws Exception {
        Path out = tmp.resolve("model.onnx");
        NoOnnxForm e = assertThrows(NoOnnxForm.class, () -> OnnxExport.write(withUpsampling(), out, OnnxExport.Options.defaults()));
        assertEquals("vertex 'upsample' (Upsampling2D): this layer type has no ONNX form in inception4j's exporter", e.getMessage());
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList(), "no temporary left either");
        }
    }

    @Test
    void theCommandLineSaysSoWithExitCode2AndLeavesAnOlderFileAsItWas() throws Exception {
        Path bundle = tmp.resolve("up.bundle");
        withUpsampling().write(bundle);
        Path out = tmp.resolve("model.onnx");
        Files.writeString(out, "an earlier export");
        Cli r = Cli.run("export", bundle.toString(), "--format", "onnx", "-o", out.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("error: vertex 'upsample' (Upsampling2D): this layer type has no ONNX form in inception4j's exporter\n", r.err());
        assertEquals("an earlier export", Files.readString(out));
        assertTrue(AtomicFiles.removeTemporaries(tmp).isEmpty());
    }

    @Test
    void aBundleIsNotExportedAsABundleAgain() throws Exception {
        Path bundle = tmp.resolve("up.bundle");
        withUpsampling().write(bundle);
        Cli r = Cli.run("export", bundle.toString(), "-o", tmp.resolve("again.bundle").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: " + bundle + " is already a bundle; to convert it, add --format onnx"), r.err());
    }

    private Cli predict(Path model) throws Exception {
        Path image = tmp.resolve("image.png");
        if (!Files.exists(image)) {
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        }
        return Cli.run("predict", model.toString(), image.toString());
    }

    private void refused(Path model, String expected) throws Exception {
        Cli r = predict(model);
        assertEquals(2, r.exitCode(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: " + model + ": " + expected), lines.get(0));
        assertEquals("", r.out());
    }

    @Test
    void filesThatAreNotOurModelsAreRefusedInOneLine() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.onnx"), "these are not weights\n");
        refused(text, "not an ONNX model (");
        Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
        refused(empty, "not an ONNX model (no graph)");
        Path bundle = tmp.resolve("bundle.onnx");
        withUpsampling().write(bundle); // a zip
        refused(bundle, "not an ONNX model (");

        // A well-formed ONNX model that is not one of ours: no labels, no preprocessing.
        ModelProto ours = OnnxTestModels.tiny();
        Path foreign = tmp.resolve("foreign.onnx");
        Files.write(foreign, ours.toBuilder().clearMetadataProps().build().toByteArray());
        refused(foreign, "not an ONNX model exported by inception4j (no 'labels' in its metadata); export one with 'inception4j export --format onnx'");

        // Its labels disagree with its output.
        ModelProto.Builder wrongLabels = ours.toBuilder();
        for (int i = 0; i < wrongLabels.getMetadataPropsCount(); i++) {
            if (wrongLabels.getMetadataProps(i).getKey().equals(OnnxExport.LABELS)) {
                wrongLabels.setMetadataProps(i, wrongLabels.getMetadataProps(i).toBuilder().setValue("[\"only one\"]"));
            }
        }
        Path mislabelled = tmp.resolve("mislabelled.onnx");
        Files.write(mislabelled, wrongLabels.build().toByteArray());
        refused(mislabelled, "not an ONNX model exported by inception4j (its probabilities are not [batch, 1] for its 1 labels)");

        Path truncated = tmp.resolve("truncated.onnx");
        byte[] whole = ours.toByteArray();
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        refused(truncated, "not an ONNX model (");
    }

    @Test
    void aFileLargerThanAnyOfOurModelsIsRefusedBeforeItIsRead() throws Exception {
        Path huge = tmp.resolve("huge.onnx");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(OnnxModel.MAX_BYTES + 1); // sparse: takes no disk
        }
        refused(huge, "1,073,741,825 bytes, more than an ONNX model from inception4j can be (1,073,741,824)");
        ConfigException e = assertThrows(ConfigException.class, () -> OnnxModel.open(tmp.resolve("missing.onnx")));
        assertTrue(e.getMessage().endsWith("missing.onnx: no such file"), e.getMessage());
    }

    @Test
    void aTinyModelOfOursPredicts() throws Exception {
        Path model = tmp.resolve("tiny.onnx");
        Files.write(model, OnnxTestModels.tiny().toByteArray());
        Cli r = predict(model);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*image\\.png  \\w+ \\d+\\.\\d%, \\w+ \\d+\\.\\d%, \\w+ \\d+\\.\\d%\n1 of 1 image predicted\\s*"), r.out());
        assertTrue(new String(Files.readAllBytes(model), StandardCharsets.ISO_8859_1).contains("inception4j"));
    }
}
