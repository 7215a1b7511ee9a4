package io.inception4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.inception4j.cli.Main;
import io.inception4j.config.ConfigException;
import io.inception4j.config.Overrides;
import io.inception4j.inference.Bundle;
import io.inception4j.train.Checkpoints;
import io.inception4j.train.TinyFlowers;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Importing PyTorch weights: a tiny network saved by PyTorch (scripts/make-weights-fixture) gives PyTorch's
 * logits here, from .pth and .safetensors; every way a file can fail to fit is an error naming the tensor;
 * downloads are checked; a fine-tuning run from imported weights trains only what is not frozen.
 */
class WeightsImportTest {
    static final Path DIR = Path.of("src/test/resources/io/inception4j/weights");

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The fixture's input as our network takes it: the same pixels with the channels in BGR order. */
    static INDArray bgrInput(JsonNode expected) {
        float[] x = new float[expected.get("input_rgb_nchw").size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) expected.get("input_rgb_nchw").get(i).asDouble();
        long[] shape = new long[4];
        for (int i = 0; i < 4; i++) shape[i] = expected.get("shape").get(i).asLong();
        INDArray rgb = Nd4j.create(x, shape, 'c');
        return Nd4j.concat(1, rgb.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)), rgb.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)),
                rgb.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
    }

    static double maxAbsDiff(INDArray ours, JsonNode theirs) {
        double max = 0;
        for (int r = 0; r < theirs.size(); r++) {
            for (int c = 0; c < theirs.get(r).size(); c++) max = Math.max(max, Math.abs(ours.getDouble(r, c) - theirs.get(r).get(c).asDouble()));
        }
        return max;
    }

    @Test
    void pytorchAndSafetensorsGivePyTorchsLogits() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        for (String file : List.of("tiny.pth", "tiny.safetensors")) {
            WeightImport.Imported in = WeightImport.load(DIR.resolve(file), DIR.resolve("tiny-table.yaml"), Overrides.none());
            INDArray x = bgrInput(expected);
            assertTrue(maxAbsDiff(Logits.of(in.graph(), "fc", x), expected.get("logits")) < 1e-5, file + ": main logits");
            assertTrue(maxAbsDiff(Logits.of(in.graph(), "aux/classifier", x), expected.get("aux_logits")) < 1e-5, file + ": aux logits");
            assertEquals(in.graph().numParams(), in.report().values(), file + ": every parameter filled");
        }
    }

    @Test
    void importCommandWritesABundleThatPredictsLikePyTorch(@TempDir Path tmp) throws IOException {
        Path bundle = tmp.resolve("tiny.zip");
        Run r = cli("import", DIR.resolve("tiny.pth").toString(), "--weights-map", DIR.resolve("tiny-table.yaml").toString(), "-o", bundle.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("imported 46 tensors (2,988 values) from tiny.pth into 19 layers"), r.out());
        Bundle b = Bundle.read(bundle);
        assertEquals(1, b.network().getNumOutputArrays(), "no aux heads in the bundle");
        assertEquals(List.of("class 0", "class 1", "class 2", "class 3", "class 4"), b.labels());
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        INDArray probs = b.network().outputSingle(bgrInput(expected));
        for (int r0 = 0; r0 < 2; r0++) {
            JsonNode logits = expected.get("logits").get(r0);
            double z = 0;
            for (JsonNode l : logits) z += Math.exp(l.asDouble());
            for (int c = 0; c < 5; c++) assertEquals(Math.exp(logits.get(c).asDouble()) / z, probs.getDouble(r0, c), 1e-5);
        }
        assertEquals(WeightImport.sha256(DIR.resolve("tiny.pth")), b.info().path("weights_sha256").asText());
    }

    @Test
    void everyMisfitIsAnErrorNamingTheTensor(@TempDir Path tmp) throws IOException {
        Path table = DIR.resolve("tiny-table.yaml");
        assertMisfit("tiny-missing.pth", table, "mix.branch3.1.bn.running_var: missing from the file");
        assertMisfit("tiny-extra.pth", table, "head.weight: in the file, but no row of the table takes it");
        assertMisfit("tiny-shape.pth", table, "mix.branch2.1.conv.weight: shape [6, 4, 5, 5], but our 'mix/3x3' W is [6, 4, 3, 3]");
        // The file for another model: GoogLeNet's table finds none of its tensors.
        assertMisfit("tiny.pth", Path.of("configs/weights/torchvision-googlenet.yaml"), "conv1.conv.weight: missing from the file");

        byte[] whole = Files.readAllBytes(DIR.resolve("tiny.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(whole, whole.length * 2 / 3));
        Run r = cli("import", cut.toString(), "--weights-map", table.toString(), "-o", tmp.resolve("x.zip").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cut.pth: not a readable PyTorch checkpoint"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.zip")), "nothing written");
    }

    private static void assertMisfit(String file, Path table, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> WeightImport.load(DIR.resolve(file), table, Overrides.none()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        Run r = cli("import", DIR.resolve(file).toString(), "--weights-map", table.toString(), "-o", "target/never-written.zip");
        assertEquals(2, r.code(), "exit code 2 for " + file);
        assertFalse(Files.exists(Path.of("target/never-written.zip")));
    }

    /** A pickle that would run a shell command under Python's pickle is refused, and runs nothing here. */
    @Test
    void aPickleThatCallsCodeIsRefused(@TempDir Path tmp) throws IOException {
        Path marker = tmp.resolve("pwned");
        String pickle = "cos\nsystem\n(S'touch " + marker + "'\ntR.";
        Path file = tmp.resolve("evil.pth");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new ZipEntry("evil/data.pkl"));
            z.write(pickle.getBytes(StandardCharsets.ISO_8859_1));
            z.closeEntry();
        }
        ConfigException e = assertThrows(ConfigException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("evil.pth: not a readable PyTorch checkpoint: its pickle asks for os.system, "
                + "which no state_dict holds; refused"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void knownCheckpointsAreDownloadedAndChecked(@TempDir Path tmp) throws IOException {
        byte[] pth = Files.readAllBytes(DIR.resolve("tiny.pth"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/tiny-0000.pth", ex -> {
            ex.sendResponseHeaders(200, pth.length);
            ex.getResponseBody().write(pth);
            ex.close();
        });
        server.start();
        try {
            Files.copy(DIR.resolve("tiny-table.yaml"), tmp.resolve("tiny-table.yaml"));
            Files.copy(DIR.resolve("tiny-model.yaml"), tmp.resolve("tiny-model.yaml"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/tiny-0000.pth";
            String sha = WeightImport.sha256(DIR.resolve("tiny.pth"));
            Files.writeString(tmp.resolve("known.yaml"), "tiny-good: {url: " + url + ", sha256: " + sha.substring(0, 8) + ", map: tiny-table.yaml}\n"
                    + "tiny-bad: {url: " + url + ", sha256: " + "0".repeat(64) + ", map: tiny-table.yaml}\n");
            Path cache = tmp.resolve("cache");

            Run bad = cli("import", "tiny-bad", "--known", tmp.resolve("known.yaml").toString(), "--cache", cache.toString(), "-o", tmp.resolve("bad.zip").toString());
            assertEquals(2, bad.code());
            assertTrue(bad.err().contains("SHA-256 mismatch"), bad.err());
            assertFalse(Files.exists(cache.resolve("tiny-0000.pth")), "a download that fails its check is not kept");
            assertFalse(Files.exists(tmp.resolve("bad.zip")));

            Run good = cli("import", "tiny-good", "--known", tmp.resolve("known.yaml").toString(), "--cache", cache.toString(), "-o", tmp.resolve("good.zip").toString());
            assertEquals(0, good.code(), good.err());
            assertArrayEquals(pth, Files.readAllBytes(cache.resolve("tiny-0000.pth")));
            assertTrue(Files.exists(tmp.resolve("good.zip")));
        } finally {
            server.stop(0);
        }
    }

    /**
     * train --init from an imported bundle with train.freeze: the frozen layers keep the imported weights bit for
     * bit (BatchNorm statistics included), the classifier for the new class count starts afresh and learns.
     */
    @Test
    void fineTuningTrainsOnlyWhatIsNotFrozen(@TempDir Path tmp) throws IOException {
        Path bundle = tmp.resolve("tiny.zip");
        assertEquals(0, cli("import", DIR.resolve("tiny.pth").toString(), "--weights-map", DIR.resolve("tiny-table.yaml").toString(),
                "-o", bundle.toString()).code());
        Path exp = TinyFlowers.setUp(tmp, 2);
        Files.writeString(exp, Files.readString(exp).replaceAll("model: .*", "model: " + DIR.resolve("tiny-model.yaml").toAbsolutePath())
                .replaceAll("set: .*", "set: [model.classes=3]"));
        Run r = cli("train", exp.toString(), "--init", bundle.toString(), "--set", "train.freeze=avg", "--runs", tmp.resolve("runs").toString());
        assertEquals(0, r.code(), r.err());
        Path runDir;
        try (var s = Files.list(tmp.resolve("runs"))) {
            runDir = s.findFirst().orElseThrow();
        }
        Path log = runDir.resolve("train.log");
        assertTrue(Files.readString(log).contains("classifiers re-initialised for the new classes: [fc]"), Files.readString(log));
        ComputationGraph imported = Bundle.read(bundle).network();
        ComputationGraph epoch1 = Checkpoints.load(runDir.resolve("checkpoints/epoch-0001.zip"), false).graph();
        ComputationGraph epoch2 = Checkpoints.load(runDir.resolve("checkpoints/epoch-0002.zip"), false).graph();
        int frozen = 0;
        for (Layer l : imported.getLayers()) {
            String name = l.getConfig().getLayerName();
            if (l.numParams() == 0 || name.equals("fc")) continue;
            float[] start = l.params().toFloatVector();
            assertArrayEquals(start, epoch1.getLayer(name).params().toFloatVector(), name + " frozen after epoch 1 (bit for bit)");
            assertArrayEquals(start, epoch2.getLayer(name).params().toFloatVector(), name + " frozen after epoch 2 (bit for bit)");
            frozen++;
        }
        assertEquals(14, frozen, "the stem, the six branch convolutions and their batch norms");
        assertFalse(Arrays.equals(epoch1.getLayer("fc").params().toFloatVector(), epoch2.getLayer("fc").params().toFloatVector()),
                "the new classifier trains");
        assertEquals(3, epoch2.getLayer("fc").getParam("b").length());
    }

    @Test
    void aLabelFileIsReadBoundedAndMustMatchTheClasses(@TempDir Path tmp) throws IOException {
        assertEquals(List.of("class 0", "class 1"), WeightImport.labels(null, 2));
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "tench\n  goldfish \n\nshark\n");
        assertEquals(List.of("tench", "goldfish", "shark"), WeightImport.labels(labels, 3));
        assertEquals(labels + ": 3 labels, but the model has 5 classes",
                assertThrows(ConfigException.class, () -> WeightImport.labels(labels, 5)).getMessage());
        Path missing = tmp.resolve("missing.txt");
        assertEquals(missing + ": no such file", assertThrows(ConfigException.class, () -> WeightImport.labels(missing, 3)).getMessage());
        Path huge = tmp.resolve("huge.txt");
        try (var ch = java.nio.channels.FileChannel.open(huge, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}), 1L << 30); // sparse: a 1 GiB file using no disk
        }
        assertEquals(huge + ": 1,073,741,825 bytes is too large for a label list (--labels) (the limit is 16,777,216 bytes)",
                assertThrows(ConfigException.class, () -> WeightImport.labels(huge, 3)).getMessage());
        Path binary = Files.write(tmp.resolve("binary.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        assertEquals(binary + ": a label list (--labels) must be UTF-8 text", assertThrows(ConfigException.class, () -> WeightImport.labels(binary, 1)).getMessage());
    }
}
