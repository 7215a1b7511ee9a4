package io.inception4j.data;

import io.inception4j.config.Binder;
import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import io.inception4j.config.YamlDocument;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data pipeline on small generated sets: layouts, cache modes, threads, bad files and label files. */
class DataPipelineTest {

    static DataConfig config(String yaml) {
        return Binder.bind(YamlDocument.parse("test data.yaml", yaml), DataConfig.class);
    }

    static Path generate(Path dir, DataConfig.Layout layout, int classes, int perClass, int corrupt) throws IOException {
        SyntheticImages.write(new SyntheticImages.Spec(layout, classes, perClass, 80, 60, 90, corrupt, 3), dir);
        return dir;
    }

    @Test
    void memoryAndStreamingGiveIdenticalBatchesWhateverTheThreadCount(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 12, 4);
        List<MultiDataSet> reference = null;
        for (String mode : List.of("memory", "none")) {
            for (int workers : List.of(1, 3)) {
                DataConfig c = config("{name: t, layout: folders, cache: " + mode + ", workers: " + workers
                        + ", split: {train: 0.5, val: 0.25, test: 0.25}, augment: {color: 0.2}}");
                Dataset d = Dataset.prepare(c, dir, Map.of(), 9, 37);
                assertEquals(mode, d.images().mode());
                assertEquals(4, d.bad().size(), "the damaged files are found by the scan: " + d.bad().entries());
                List<MultiDataSet> batches = new ArrayList<>();
                for (int epoch = 0; epoch < 2; epoch++) {
                    BatchIterator it = d.batches(d.splits().train(), 32, 32, 5, 2, true, 0.1, 9);
                    it.setEpoch(epoch);
                    while (it.hasNext()) batches.add(it.next());
                }
                if (reference == null) {
                    reference = batches;
                    continue;
                }
                assertEquals(reference.size(), batches.size());
                for (int i = 0; i < batches.size(); i++) {
                    assertTrue(reference.get(i).getFeatures(0).equals(batches.get(i).getFeatures(0)), mode + "/" + workers + ": batch " + i + " pixels");
                    assertTrue(reference.get(i).getLabels(1).equals(batches.get(i).getLabels(1)), mode + "/" + workers + ": batch " + i + " labels");
                }
            }
        }
    }

    /** The epoch order, shuffled without boxing, is the one Collections.shuffle gave: old runs resume exactly. */
    @Test
    void theUnboxedShuffleGivesCollectionsShufflesOrder() {
        for (long seed : new long[] {1, 42, 1_000_003L * 7 + 3}) {
            for (int n : new int[] {0, 1, 5, 6, 1000}) {
                List<Integer> boxed = new ArrayList<>();
                int[] unboxed = new int[n];
                for (int i = 0; i < n; i++) {
                    boxed.add(i);
                    unboxed[i] = i;
                }
                java.util.Collections.shuffle(boxed, new java.util.Random(seed));
                BatchIterator.shuffle(unboxed, new java.util.Random(seed));
                assertEquals(boxed, java.util.Arrays.stream(unboxed).boxed().toList(), "seed " + seed + ", " + n + " entries");
            }
        }
    }

    @Test
    void damagedFilesAreSkippedCountedAndListedWithTheirReason(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 2, 6, 4);
        Dataset d = Dataset.prepare(config("{name: t, layout: folders, cache: none}"), dir, Map.of(), 1, 32);
        Map<String, String> reasons = new java.util.TreeMap<>();
        d.bad().entries().forEach(e -> reasons.put(e.sample().file().getFileName().toString(), e.reason()));
        assertEquals("truncated: no JPEG end-of-image marker", reasons.get("corrupt_00.jpg"));
        assertEquals("empty file (0 bytes)", reasons.get("corrupt_01.jpg"));
        assertEquals("not an image (unrecognised file signature)", reasons.get("corrupt_02.jpg"));
        assertEquals("40000 x 40000 pixels (1,600,000,000) is over the limit of 100,000,000 pixels (data.max_pixels)", reasons.get("corrupt_03.png"));
        d.writeBadFiles(tmp);
        assertEquals(4, Files.readAllLines(tmp.resolve("bad-files.txt")).size());
        // What is left trains: every batch is full and labelled.
        BatchIterator it = d.batches(d.splits().train(), 32, 32, 4, 1, true, 0, 1);
        int images = 0;
        while (it.hasNext()) images += (int) it.next().getFeatures(0).size(0);
        assertEquals(it.size(), images);
    }

    @Test
    void anOversizedHeaderIsRefusedBeforeDecodingWithItsSizeAndTheLimit(@TempDir Path tmp) throws IOException {
        Path png = tmp.resolve("huge.png");
        Files.write(png, SyntheticImages.hugePng(20_000, 20_000));
        long t0 = System.nanoTime();
        var e = assertThrows(ImageDecoder.ImageException.class, () -> ImageDecoder.decode(png, 224, ImageDecoder.DEFAULT_MAX_PIXELS, true));
        assertTrue((System.nanoTime() - t0) < 1_000_000_000L, "refused from the header, not after decoding");
        assertEquals(png + ": 20000 x 20000 pixels (400,000,000) is over the limit of 100,000,000 pixels (data.max_pixels)", e.getMessage());
    }

    @Test
    void largeJpegsDecodeAtReducedScaleToTheSameShortSide(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("big.jpg");
        Files.write(f, SyntheticImages.jpeg(new SyntheticImages.Spec(DataConfig.Layout.FOLDERS, 1, 1, 1600, 1200, 90, 0, 1), 0, new java.util.Random(1)));
        ImageHeader h = ImageHeader.read(f);
        assertEquals(1600, h.width());
        assertEquals(1200, h.height());
        assertEquals(org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8, ImageDecoder.reducedFlag(h, 146));
        assertEquals(org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4, ImageDecoder.reducedFlag(h, 256));
        Mat m = ImageDecoder.decode(f, 146, ImageDecoder.DEFAULT_MAX_PIXELS, false).image();
        assertEquals(146, Math.min(m.rows(), m.cols()));
        assertEquals(195, Math.max(m.rows(), m.cols()));
    }

    @Test
    void splitFoldersAreUsedAsGiven(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("set"), DataConfig.Layout.SPLIT_FOLDERS, 3, 8, 0);
        DataConfig c = config("{name: t, layout: split_folders}");
        ImageIndex index = ImageIndex.of(c, dir);
        assertEquals(List.of("class000", "class001", "class002"), index.classes());
        Splits s = Splits.of(index, c.split(), 42);
        assertEquals(24, s.train().size());
        assertEquals(6, s.val().size());
        assertEquals(6, s.test().size());
        assertTrue(s.val().stream().allMatch(x -> x.file().toString().contains("/val/")));
        assertEquals(s, Splits.of(index, c.split(), 7), "the seed does not re-split");
        for (Sample x : s.train()) assertEquals(index.classes().get(x.label()), x.file().getParent().getFileName().toString());
    }

    @Test
    void anEmptyClassFolderOrAForeignValClassIsAnError(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("set"), DataConfig.Layout.SPLIT_FOLDERS, 2, 4, 0);
        Files.createDirectories(dir.resolve("train/class009"));
        var e = assertThrows(ConfigException.class, () -> ImageIndex.of(config("{name: t, layout: split_folders}"), dir));
        assertEquals(dir.resolve("train/class009") + ": empty class folder (no images)", e.getMessage());
        Files.delete(dir.resolve("train/class009"));
        Files.move(dir.resolve("val/class001"), dir.resolve("val/class01"));
        e = assertThrows(ConfigException.class, () -> ImageIndex.of(config("{name: t, layout: split_folders}"), dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("val/class01") + ": class folder 'class01' is not among train's 2 classes"), e.getMessage());

        Path flat = generate(tmp.resolve("flat"), DataConfig.Layout.FOLDERS, 2, 3, 0);
        Files.createDirectories(flat.resolve("empty"));
        e = assertThrows(ConfigException.class, () -> ImageIndex.of(config("{name: t, layout: folders}"), flat));
        assertEquals(flat.resolve("empty") + ": empty class folder (no images)", e.getMessage());
    }

    @Test
    void imagenetValidationLabelsOfBothKindsReachTheRightClasses(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("imagenet"), DataConfig.Layout.IMAGENET, 6, 8, 0);
        DataConfig tf = config("{name: t, layout: imagenet, imagenet: {val_labels: imagenet_2012_validation_synset_labels.txt}}");
        DataConfig devkit = config("{name: t, layout: imagenet, imagenet: {val_labels: ILSVRC2012_validation_ground_truth.txt,"
                + " devkit_synsets: devkit_synsets.txt}}");
        ImageIndex a = ImageIndex.of(tf, dir), b = ImageIndex.of(devkit, dir);
        assertEquals(List.of("n00000001 class 1", "n00000002 class 2", "n00000003 class 3", "n00000004 class 4",
                "n00000005 class 5", "n00000006 class 6"), a.classes());
        assertEquals(a.given().val(), b.given().val(), "devkit IDs, read through the devkit's synset order, give the same labels");
        assertTrue(a.given().test().isEmpty());

        // And the labels are the images' true classes: nearest class by mean colour, learned on train/.
        Map<Integer, double[]> means = new java.util.HashMap<>();
        Map<Integer, Integer> counts = new java.util.HashMap<>();
        for (Sample s : a.given().train()) {
            double[] c = meanColour(s.file());
            means.merge(s.label(), c, (x, y) -> new double[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]});
            counts.merge(s.label(), 1, Integer::sum);
        }
        int agree = 0;
        for (Sample s : a.given().val()) {
            double[] c = meanColour(s.file());
            int nearest = -1;
            double best = Double.MAX_VALUE;
            for (var e : means.entrySet()) {
                double n = counts.get(e.getKey()), d = 0;
                for (int k = 0; k < 3; k++) d += Math.pow(e.getValue()[k] / n - c[k], 2);
                if (d < best) { best = d; nearest = e.getKey(); }
            }
            if (nearest == s.label()) agree++;
        }
        assertTrue(agree >= a.given().val().size() * 0.9, agree + " of " + a.given().val().size() + " val labels match the images");

        // The devkit's numbers without its synset order would mislabel silently: refused, with the reason.
        DataConfig naive = config("{name: t, layout: imagenet, imagenet: {val_labels: ILSVRC2012_validation_ground_truth.txt}}");
        var e = assertThrows(ConfigException.class, () -> ImageIndex.of(naive, dir));
        assertTrue(e.getMessage().contains("holds ILSVRC2012_IDs (numbers), which index the devkit's synset order"), e.getMessage());
    }

    @Test
    void aValLabelFileThatDoesNotMatchTheImagesIsAnErrorNamingTheLine(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("imagenet"), DataConfig.Layout.IMAGENET, 3, 4, 0);
        Path labels = dir.resolve("imagenet_2012_validation_synset_labels.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(labels));
        String second = lines.get(1);
        lines.set(1, "n99999999");
        Files.write(labels, lines);
        DataConfig c = config("{name: t, layout: imagenet, imagenet: {val_labels: imagenet_2012_validation_synset_labels.txt}}");
        var e = assertThrows(ConfigException.class, () -> ImageIndex.of(c, dir));
        assertEquals(labels + ":2: n99999999 is not a synset of the training set", e.getMessage());
        lines.set(1, second);
        Files.write(labels, lines.subList(0, 2));
        e = assertThrows(ConfigException.class, () -> ImageIndex.of(c, dir));
        assertTrue(e.getMessage().startsWith(labels + ": has 2 labels, but ILSVRC2012_val_00000003.JPEG is image 3"), e.getMessage());
    }

    @Test
    void autoCacheChoosesMemoryForASmallSetAndSaysSo(@TempDir Path tmp) throws IOException {
        Path dir = generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 2, 4, 0);
        Dataset d = Dataset.prepare(config("{name: t, layout: folders}"), dir, Map.of(), 1, 32);
        assertEquals("memory", d.images().mode());
        assertTrue(d.cacheReason().startsWith("data.cache auto: the decoded images need about 0 MB, within "), d.cacheReason());
        assertFalse(d.bad().size() > 0);
    }

    private static double[] meanColour(Path f) throws IOException {
        Mat m = ImageDecoder.decode(f, 0, ImageDecoder.DEFAULT_MAX_PIXELS, false).image();
        var px = m.createBuffer();
        double[] sum = new double[3];
        java.nio.ByteBuffer b = (java.nio.ByteBuffer) px;
        for (int i = 0; i < b.capacity(); i++) sum[i % 3] += b.get(i) & 0xff;
        for (int k = 0; k < 3; k++) sum[k] /= b.capacity() / 3.0;
        return sum;
    }

    @Test
    void anImageNetListIsReadBoundedAndItsBadLineQuotedShort(@TempDir Path tmp) throws IOException {
        Path synsets = tmp.resolve("LOC_synset_mapping.txt");
        try (var ch = java.nio.channels.FileChannel.open(synsets, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}), 1L << 30); // sparse: a 1 GiB file using no disk
        }
        assertEquals(synsets + ": 1,073,741,825 bytes is too large for the synset list (data.imagenet.synsets, e.g. "
                + "LOC_synset_mapping.txt) (the limit is 67,108,864 bytes)",
                assertThrows(ConfigException.class, () -> ImageIndex.ImageNet.synsets(synsets)).getMessage());
        Files.delete(synsets);
        Files.writeString(synsets, "n01440764 tench\n" + "y".repeat(100_000) + "\n");
        assertEquals(synsets + ":2: expected 'wnid words' (e.g. 'n01440764 tench, Tinca tinca'), got '" + "y".repeat(60) + "...' (100,000 characters)",
                assertThrows(ConfigException.class, () -> ImageIndex.ImageNet.synsets(synsets)).getMessage());
    }
}
