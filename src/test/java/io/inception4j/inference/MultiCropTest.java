package io.inception4j.inference;

import io.inception4j.Cli;
import io.inception4j.data.ImageDecoder;
import io.inception4j.serve.TinyBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Multi-crop inference on an untrained tiny bundle: batching, averaging, and predict --crops. */
class MultiCropTest {
    @TempDir
    static Path tmp;
    static Path bundle;
    static Classifier classifier;

    @BeforeAll
    static void writeBundle() throws Exception {
        bundle = TinyBundle.write(tmp.resolve("tiny.bundle"));
        classifier = Classifier.load(bundle);
    }

    /** Memory stays bounded: however many images and crops, no network call gets more than the batch size. */
    @Test
    void cropBatchesNeverExceedTheBatchSizeAndEveryCropIsCounted() {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Classifier counting = Classifier.of(classifier.labels(), classifier.preprocessing(), batch -> {
            sizes.add((int) batch.size(0));
            return classifier.probabilities(batch);
        });
        List<Path> files = List.of(TinyBundle.flower(1), TinyBundle.flower(81), TinyBundle.flower(161));
        var averaged = counting.averaged(files, counting.multiCrop(144, 7, ImageDecoder.DEFAULT_MAX_PIXELS, true));
        assertEquals(3, averaged.size());
        assertTrue(sizes.stream().allMatch(n -> n >= 1 && n <= 7), sizes.toString());
        assertEquals(3 * 144, sizes.stream().mapToInt(Integer::intValue).sum());
        for (var a : averaged) assertEquals(1.0, java.util.Arrays.stream(a.probabilities()).sum(), 1e-5, "a mean of softmaxes sums to 1");

        sizes.clear();
        counting.averaged(files, counting.multiCrop(10, 4, ImageDecoder.DEFAULT_MAX_PIXELS, true));
        assertEquals(List.of(4, 4, 4, 4, 4, 4, 4, 2), sizes, "crops of consecutive images share batches");
    }

    @Test
    void oneCropIsTheSingleCropClassifierAndTenIsTheMeanOfItsCrops() throws Exception {
        Path f = TinyBundle.flower(5);
        var one = classifier.averaged(List.of(f), classifier.multiCrop(1, 16, ImageDecoder.DEFAULT_MAX_PIXELS, true)).get(0);
        double[] expected = classifier.probabilities(classifier.preprocessing().file(f.toFile())).getRow(0).toDoubleVector();
        assertArrayEquals(expected, one.probabilities(), 1e-6);

        // Ten crops in batches of 3 or all at once: the same mean.
        var ten = classifier.averaged(List.of(f), classifier.multiCrop(10, 3, ImageDecoder.DEFAULT_MAX_PIXELS, true)).get(0);
        var tenAtOnce = classifier.averaged(List.of(f), classifier.multiCrop(10, 10, ImageDecoder.DEFAULT_MAX_PIXELS, true)).get(0);
        assertArrayEquals(tenAtOnce.probabilities(), ten.probabilities(), 1e-5);
    }

    @Test
    void anUnreadableFileGetsItsErrorAndTheOthersTheirCrops() throws Exception {
        Path missing = tmp.resolve("missing.jpg");
        var out = classifier.averaged(List.of(missing, TinyBundle.flower(2)), classifier.multiCrop(10, 16, ImageDecoder.DEFAULT_MAX_PIXELS, true));
        assertEquals("no such file", out.get(0).error());
        assertTrue(out.get(1).ok());
    }

    @Test
    void predictTakesCropsAndPrintsTheSameFormat() {
        String f1 = TinyBundle.flower(1).toString(), f2 = TinyBundle.flower(300).toString();
        Cli plain = Cli.run("predict", bundle.toString(), f1, f2, "-k", "2");
        Cli one = Cli.run("predict", bundle.toString(), f1, f2, "-k", "2", "--crops", "1");
        assertEquals(0, one.exitCode(), one.err());
        assertEquals(plain.out(), one.out(), "--crops 1 is today's predict");

        Cli ten = Cli.run("predict", bundle.toString(), f1, f2, "-k", "2", "--crops", "10", "--batch", "4");
        assertEquals(0, ten.exitCode(), ten.err());
        List<String> lines = ten.out().lines().toList();
        assertEquals(3, lines.size(), ten.out());
        assertTrue(lines.get(0).matches(".*image_0001\\.jpg  \\w+ \\d+\\.\\d%, \\w+ \\d+\\.\\d%"), lines.get(0));
        assertEquals("2 of 2 images predicted", lines.get(2));

        Cli json = Cli.run("predict", bundle.toString(), f1, "--crops", "144", "--json");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().startsWith("{\"file\":") && json.out().contains("\"probability\":"), json.out());
    }

    @Test
    void anyOtherCropCountIsOneLineAndExitCodeTwo() {
        Cli r = Cli.run("predict", bundle.toString(), TinyBundle.flower(1).toString(), "--crops", "12");
        assertEquals(2, r.exitCode());
        assertEquals("error: --crops 12: expected 1, 10 or 144\n", r.err());
        assertEquals("", r.out());
    }
}
