package io.inception4j.inference;

import io.inception4j.Cli;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Preprocessing;
import io.inception4j.train.TinyFlowers;
import io.inception4j.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export a tiny trained run, then use the bundle as a user would. */
class ExportAndPredictTest {
    @TempDir
    static Path tmp;
    static Trainer.Result run;
    static Path bundle;

    @BeforeAll
    static void trainAndExport() throws Exception {
        Path exp = TinyFlowers.setUp(tmp.resolve("setup"), 1);
        run = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null));
        bundle = tmp.resolve("tiny.bundle");
        Cli r = Cli.run("export", run.run().dir().toString(), "-o", bundle.toString());
        assertEquals(0, r.exitCode(), r.err());
    }

    /** One of the ten daffodils (image_0001 .. image_0010) of the tiny dataset. */
    static Path flower(int n) {
        return tmp.resolve("setup/images/daffodil").resolve(String.format("image_%04d.jpg", n));
    }

    @Test
    void theBundleHasOneOutputNoUpdaterAndTheTrainingGraphsMainOutput() throws Exception {
        Bundle b = Bundle.read(bundle);
        ComputationGraph trained = ModelSerializer.restoreComputationGraph(run.run().best().toFile(), false);
        assertEquals(3, trained.getNumOutputArrays(), "training graph: main + 2 aux heads");
        assertEquals(1, b.network().getNumOutputArrays());
        assertTrue(b.network().numParams() < trained.numParams());
        try (ZipFile z = new ZipFile(bundle.toFile())) {
            assertTrue(z.getEntry("updaterState.bin") == null, "no optimiser state");
        }
        assertEquals(List.of("daffodil", "lilyvalley", "snowdrop"), b.labels());

        Preprocessing pre = b.preprocessing();
        INDArray x = Nd4j.concat(0, pre.file(flower(1).toFile()), pre.file(flower(2).toFile()));
        INDArray expected = trained.output(false, x)[0];
        assertTrue(expected.equalsWithEps(b.network().outputSingle(false, x), 1e-5), "same main output");
    }

    /**
     * Issue #29's test of done: the run exported to ONNX, and the bundle converted, give in ONNX Runtime the bundle's
     * top-3 labels on the same images with probabilities within 1e-4.
     */
    @Test
    void theOnnxExportPredictsTheBundlesTop3WithTheSameProbabilities() throws Exception {
        Path fromRun = tmp.resolve("tiny.onnx"), fromBundle = tmp.resolve("converted.onnx");
        Cli export = Cli.run("export", run.run().dir().toString(), "--format", "onnx", "-o", fromRun.toString());
        assertEquals(0, export.exitCode(), export.err());
        assertTrue(export.out().startsWith("wrote " + fromRun + ": ONNX opset 13, inception-v1, 3 classes, input 64x64"), export.out());
        Cli convert = Cli.run("export", bundle.toString(), "--format", "onnx", "--fold-batchnorm", "-o", fromBundle.toString());
        assertEquals(0, convert.exitCode(), convert.err());

        String images = tmp.resolve("setup/images").toString();
        List<String> expected = Cli.run("predict", bundle.toString(), images, "--json").out().lines().toList();
        assertEquals(31, expected.size(), "30 flowers and the broken JPEG");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (Path model : List.of(fromRun, fromBundle)) {
            Cli r = Cli.run("predict", model.toString(), images, "--json");
            assertEquals(1, r.exitCode(), "as with the bundle: one image could not be read");
            assertEquals("30 of 31 images predicted; 1 could not be read", r.err().strip());
            List<String> actual = r.out().lines().toList();
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                if (expected.get(i).contains("\"error\"")) {
                    assertEquals(expected.get(i), actual.get(i), "the same error in the same place");
                    continue;
                }
                var e = json.readTree(expected.get(i)).path("predictions");
                var a = json.readTree(actual.get(i)).path("predictions");
                assertEquals(3, a.size(), actual.get(i));
                for (int k = 0; k < 3; k++) {
                    assertEquals(e.get(k).path("label").asText(), a.get(k).path("label").asText(), "top-" + (k + 1) + " of " + actual.get(i));
                    assertEquals(e.get(k).path("probability").asDouble(), a.get(k).path("probability").asDouble(), 1e-4, actual.get(i));
                }
            }
        }
    }

    @Test
    void predictPrintsTopKAndJsonLines() {
        Cli table = Cli.run("predict", bundle.toString(), flower(1).toString(), "-k", "2");
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().matches("(?s).*image_0001\\.jpg  \\w+ \\d+\\.\\d%, \\w+ \\d+\\.\\d%\n1 of 1 image predicted\\s*"), table.out());

        Cli json = Cli.run("predict", bundle.toString(), tmp.resolve("setup/images/snowdrop").toString(), "--json");
        assertEquals(0, json.exitCode(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(10, lines.size());
        assertTrue(lines.get(0).startsWith("{\"file\":") && lines.get(0).contains("\"probability\":"), lines.get(0));
    }

    @Test
    void anUnreadableImageIsReportedInItsPlaceTheRestClassifiedAndTheExitCodeIsOne() throws Exception {
        Path broken = tmp.resolve("setup/images/daffodil/broken.jpg");
        Cli r = Cli.run("predict", bundle.toString(), flower(1).toString(), broken.toString(), flower(2).toString());
        assertEquals(1, r.exitCode(), "documented: 1 when some images could not be read");
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith(broken + "  could not be read: truncated: no JPEG end-of-image marker"), lines.get(1));
        assertEquals("2 of 3 images predicted; 1 could not be read", lines.get(3));
        assertEquals("", r.err(), "nothing on stderr: no stray native messages, no stack trace");

        Cli json = Cli.run("predict", bundle.toString(), flower(1).toString(), broken.toString(), "--json");
        assertEquals(1, json.exitCode());
        List<String> objects = json.out().lines().toList();
        assertEquals(2, objects.size(), "stdout stays one JSON object per line: " + json.out());
        assertTrue(objects.get(1).matches("\\{\"file\":\".*broken\\.jpg\",\"error\":\"truncated: .*\"}"), objects.get(1));
        assertEquals("1 of 2 images predicted; 1 could not be read", json.err().strip());
    }

    @Test
    void aTruncatedJpegIsPredictedWithAWarningNotSilently() throws Exception {
        Path cut = tmp.resolve("cut.jpg");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(flower(6)), 5000));
        Cli r = Cli.run("predict", bundle.toString(), cut.toString(), flower(1).toString());
        assertEquals(0, r.exitCode(), "every image got a prediction");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches(".*cut\\.jpg  \\w+ \\d+\\.\\d%.*  \\(warning: truncated: no JPEG end-of-image marker\\)"), lines.get(0));
        assertEquals("2 of 2 images predicted; 1 damaged (see warnings)", lines.get(2));
        assertEquals("", r.err(), "the JPEG decoder's own complaints stay out of the user's output");
        Cli json = Cli.run("predict", bundle.toString(), cut.toString(), "--json");
        assertTrue(json.out().contains("\"warning\":\"truncated: no JPEG end-of-image marker\""), json.out());
    }

    @Test
    void anImageOverThePixelLimitIsRefusedWithItsSizeAndTheLimit() throws Exception {
        Path huge = tmp.resolve("huge.png");
        Files.write(huge, io.inception4j.data.SyntheticImages.hugePng(40_000, 40_000));
        Cli r = Cli.run("predict", bundle.toString(), huge.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.out().startsWith(huge + "  could not be read: 40000 x 40000 pixels (1,600,000,000) is over the limit of "
                + "100,000,000 pixels"), r.out());
    }

    @Test
    void grayscaleAndAlphaImagesOfAnySizeAreClassified() throws Exception {
        BufferedImage colour = ImageIO.read(flower(3).toFile());
        BufferedImage gray = new BufferedImage(37, 91, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(colour, 0, 0, 37, 91, null);
        BufferedImage alpha = new BufferedImage(640, 200, BufferedImage.TYPE_INT_ARGB);
        alpha.getGraphics().drawImage(colour, 0, 0, 640, 200, null);
        Path g = tmp.resolve("gray.png"), a = tmp.resolve("alpha.png");
        ImageIO.write(gray, "png", g.toFile());
        ImageIO.write(alpha, "png", a.toFile());
        Classifier c = Classifier.load(bundle);
        for (var r : c.classify(List.of(g, a), 3, 8)) assertTrue(r.ok(), r.error());
        // A BufferedImage and its file give the same answer.
        assertEquals(c.classify(a, 3), c.classify(alpha, 3));
    }

    @Test
    void concurrentCallersGetTheSameAnswersAsOne() throws Exception {
        Classifier c = Classifier.load(bundle);
        var expected = c.classify(flower(4), 3);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<List<Classifier.Prediction>>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) futures.add(pool.submit(() -> c.classify(flower(4), 3)));
        for (var f : futures) assertEquals(expected, f.get());
        pool.shutdown();
    }

    @Test
    void aFolderWithoutImagesIsAClearError() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Cli r = Cli.run("predict", bundle.toString(), empty.toString());
        assertEquals(2, r.exitCode());
        assertEquals("error: " + empty + ": no images in this folder", r.err().strip());
    }

    @Test
    void corruptTruncatedAndNewerBundlesAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(bundle);
        Path truncated = tmp.resolve("truncated.bundle");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e1 = assertThrows(ConfigException.class, () -> Bundle.read(truncated));
        assertTrue(e1.getMessage().contains("truncated or corrupt"), e1.getMessage());

        Path tampered = rewrite("tampered.bundle", false);
        var e2 = assertThrows(ConfigException.class, () -> Bundle.read(tampered));
        assertTrue(e2.getMessage().contains("checksum mismatch in [coefficients.bin]"), e2.getMessage());

        Path newer = rewrite("newer.bundle", true);
        Cli r = Cli.run("predict", newer.toString(), flower(1).toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("bundle format 99 is not supported by this inception4j (it reads format 1)"), r.err());
    }

    /** Copies the bundle, flipping a byte of coefficients.bin, or changing bundle.json's version (checksums kept). */
    private static Path rewrite(String name, boolean newerVersion) throws Exception {
        Path out = tmp.resolve(name);
        try (ZipFile in = new ZipFile(bundle.toFile()); ZipOutputStream zo = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var it = in.entries().asIterator(); it.hasNext(); ) {
                ZipEntry e = it.next();
                byte[] data = in.getInputStream(e).readAllBytes();
                if (!newerVersion && e.getName().equals("coefficients.bin")) data[data.length - 1] ^= 0x55;
                if (newerVersion && e.getName().equals("inception4j/bundle.json")) {
                    data = new String(data, StandardCharsets.UTF_8).replace("\"format_version\" : 1", "\"format_version\" : 99").getBytes(StandardCharsets.UTF_8);
                }
                zo.putNextEntry(new ZipEntry(e.getName()));
                zo.write(data);
                zo.closeEntry();
            }
        }
        return out;
    }

    @Test
    void evaluateTakesABundleAndAgreesWithTheRun() {
        Cli r = Cli.run("evaluate", bundle.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith(run.test().headline()), r.out() + " vs " + run.test().headline());
    }

    @Test
    void aBundleLoadsInAFreshJvmWithNoConfigsDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main",
                "predict", bundle.toAbsolutePath().toString(), flower(5).toAbsolutePath().toString(), "--json")
                .directory(elsewhere.toFile()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "stdout: " + out + "\nstderr: " + err);
        assertFalse(Files.exists(elsewhere.resolve("configs")));
        assertTrue(out.contains("\"predictions\""), out);
    }

    @Test
    void damagedImagesLeaveNoNativeNoiseOnStderrOfARealProcess() throws Exception {
        Path cut = tmp.resolve("cut-child.jpg"), gif = tmp.resolve("junk.gif"), tiny = tmp.resolve("tiny.jpg");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(flower(7)), 4000));
        Files.write(gif, "GIF89a\u0001\u0000\u0001\u0000 not really a gif".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(tiny, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.inception4j.cli.Main", "predict", bundle.toString(),
                cut.toString(), gif.toString(), tiny.toString(), flower(1).toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out + err);
        assertTrue(out.endsWith("2 of 4 images predicted; 2 could not be read; 1 damaged (see warnings)\n"), out);
        assertEquals("", err, "stderr of the process (native libraries included)");
    }

    @Test
    void theReadmeJavaSampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```java\n", readme.indexOf("<!-- java-api-sample -->"));
        String code = readme.substring(start + 8, readme.indexOf("```", start + 8));
        Path src = Files.createDirectories(tmp.resolve("sample"));
        Files.writeString(src.resolve("ClassifyFlowers.java"), code);
        var compiler = javax.tools.ToolProvider.getSystemJavaCompiler();
        int rc = compiler.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", src.toString(),
                src.resolve("ClassifyFlowers.java").toString());
        assertEquals(0, rc, "the README sample compiles");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", src + java.io.File.pathSeparator + System.getProperty("java.class.path"), "ClassifyFlowers",
                bundle.toString(), flower(1).toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("(daffodil|lilyvalley|snowdrop) \\d+\\.\\d%")), out);
    }

    /**
     * The test split is embedded for the record while it is small; a huge one (a big dataset's) is named instead,
     * because a bundle's text entries are capped on reading and an export must stay loadable.
     */
    @Test
    void aHugeTestSplitIsNamedNotEmbeddedAndTheBundleStillLoads() throws Exception {
        assertEquals(Files.readString(run.run().dir().resolve("splits/test.txt")), Bundle.read(bundle).info().get("test_split").asText());

        Path copy = copyOfTheRun("huge-split-run");
        String line = tmp.resolve("setup/images/daffodil/image_0001.jpg") + "\t0\n";
        Files.writeString(copy.resolve("splits/test.txt"), line.repeat((int) (20L << 20) / line.length())); // 20 MB
        Path out = tmp.resolve("huge-split.bundle");
        Cli r = Cli.run("export", copy.toString(), "-o", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        var info = Bundle.read(out).info();
        assertFalse(info.has("test_split"));
        assertTrue(info.get("test_split_omitted").asText().matches("the run's splits/test.txt \\(20,9\\d\\d,\\d{3} bytes\\) is too large to embed"),
                info.get("test_split_omitted").asText());
    }

    @Test
    void aDamagedRecordInTheRunIsOneErrorNotABrokenBundle() throws Exception {
        Path copy = copyOfTheRun("damaged-provenance-run");
        Files.writeString(copy.resolve("provenance.json"), "{\"seed\": 4");
        Path out = tmp.resolve("damaged-provenance.bundle");
        Cli r = Cli.run("export", copy.toString(), "-o", out.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().matches("error: " + java.util.regex.Pattern.quote(copy.resolve("provenance.json").toString())
                + ":1:\\d+: not valid JSON \\(Unexpected end-of-input.*\\)\\n"), r.err());
        assertFalse(Files.exists(out), "no bundle written");
    }

    private static Path copyOfTheRun(String name) throws java.io.IOException {
        Path copy = tmp.resolve(name);
        try (var files = Files.walk(run.run().dir())) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(run.run().dir().relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        return copy;
    }
}
