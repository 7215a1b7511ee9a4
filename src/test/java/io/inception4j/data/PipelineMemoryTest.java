package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory set by the batch, not by the set or the collector (issue 28): the index of a large set costs at most
 * 24 bytes of heap per image (issue 28 asks 100; front-coded names take about 12), so ImageNet's 1.28 M training
 * files take about 15 MB (as Sample records with their Paths they cost about 600 bytes each), and the native
 * buffers of decoding are freed image by image.
 */
class PipelineMemoryTest {
    static final int CLASSES = 100, PER_CLASS = 1000, VAL = 2000;

    @Test
    void anImageNetIndexAndItsSplitsHoldAtMost24BytesOfHeapPerImage(@TempDir Path tmp) throws IOException {
        Path root = imagenetNames(tmp.resolve("imagenet"));
        DataConfig config = DataPipelineTest.config("{name: t, layout: imagenet, imagenet: {val_labels: labels.txt}}");

        long before = usedHeap();
        ImageIndex index = ImageIndex.of(config, root);
        Splits splits = Splits.of(index, config.split(), 1);
        SampleList all = SampleList.concat(splits.train(), splits.val(), splits.test()); // as Dataset.prepare and the bench do
        long after = usedHeap();

        assertEquals(CLASSES * PER_CLASS, splits.train().size());
        assertEquals(VAL, splits.val().size());
        double perImage = (after - before) / (double) index.samples().size();
        assertTrue(perImage <= 24, String.format(Locale.ROOT, "%.1f bytes of heap per image", perImage));
        assertTrue(splits.val().get(0).file().startsWith(root.resolve("val")), "paths are rebuilt: " + splits.val().get(0));
        Reference.reachabilityFence(index);
        Reference.reachabilityFence(splits);
        Reference.reachabilityFence(all);
    }

    /**
     * The front-coded index gives back every name and label it was given: names sharing nothing, all or more than
     * 127 bytes with the one before (two-byte lengths), non-ASCII names, files outside the root, blocks of
     * {@value SampleList#BLOCK} and a partial last one, labels beyond 16 bits, and views of views.
     */
    @Test
    void theCompactIndexGivesBackEveryNameAndLabel(@TempDir Path root) {
        List<Path> files = new java.util.ArrayList<>();
        String deep = "d".repeat(200);
        for (int i = 0; i < 3 * SampleList.BLOCK + 5; i++) {
            files.add(switch (i % 6) {
                case 0 -> root.resolve(deep).resolve("x" + i + ".jpg");
                case 1 -> root.resolve(deep).resolve("x" + i + ".jpg"); // shares over 200 bytes with the one before
                case 2 -> root.resolve("é/fleur_" + i + ".JPEG");
                case 3 -> root.resolve("a.jpg"); // the same name again: everything shared
                case 4 -> root.resolve(String.valueOf(i)).resolve("z.png");
                default -> root.getParent().resolve("outside_" + i + ".jpg");
            });
        }
        for (int[] labelsOf : new int[][] {{3, 70_000}, {0, 16}}) {
            SampleList.Builder b = SampleList.builder(root);
            for (int i = 0; i < files.size(); i++) b.add(files.get(i), labelsOf[i % 2] + i);
            SampleList list = b.build();
            assertEquals(files.size(), list.size());
            for (int i = 0; i < files.size(); i++) {
                assertEquals(new Sample(files.get(i), labelsOf[i % 2] + i), list.get(i), "entry " + i);
                assertEquals(labelsOf[i % 2] + i, list.label(i));
            }
            SampleList tail = list.range(40, files.size()).range(1, 30).select(new int[] {28, 0, 5});
            assertEquals(List.of(list.get(69), list.get(41), list.get(46)), List.copyOf(tail));
            // Concatenated views: ranges that follow one another (one range), and ones that do not (an array).
            assertEquals(List.copyOf(list.subList(3, 60)),
                    List.copyOf(SampleList.concat(list.range(3, 10), list.range(10, 10), list.range(10, 60))));
            assertEquals(List.of(list.get(5), list.get(6), list.get(1), list.get(69), list.get(41), list.get(46)),
                    List.copyOf(SampleList.concat(list.range(5, 7), list.range(1, 2), tail)));
            assertEquals(List.of(list.get(8), list.get(9), list.get(2)), List.copyOf(SampleList.concat(list.range(8, 10), list.range(2, 3))));
        }
    }

    /**
     * Twenty passes streaming a small set from disk leave no native buffer behind: every Mat the decoding and
     * augmentation made is freed when its image is copied out, whatever the heap's size (this JVM's is 6 GB,
     * where a collection, and so JavaCPP's deallocation, may not come for many batches); and a consumed batch's
     * arrays are freed when the consumer releases it, as the trainer, the evaluator and the bench do.
     */
    @Test
    void streamingPassesFreeTheirNativeBuffersImageByImage(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 2, 16, 0);
        DataConfig config = DataPipelineTest.config("{name: t, layout: folders, cache: none, workers: 2}");
        Dataset data = Dataset.prepare(config, dir, java.util.Map.of(), 1, 146);
        BatchIterator it = data.batches(data.splits().train(), 128, 128, 8, 1, true, 0, 1);
        long[] live = new long[20];
        for (int pass = 0; pass < 20; pass++) {
            it.setEpoch(pass);
            for (int pos = 0; pos < it.size(); pos++) assertNotNull(it.image(pos));
            live[pass] = org.bytedeco.javacpp.Pointer.totalCount(); // JavaCPP's live native objects: Mats, buffers
        }
        long grown = java.util.Arrays.stream(live).max().getAsLong() - live[0];
        assertTrue(grown <= 4, "native objects alive after each pass: " + java.util.Arrays.toString(live));

        var batch = it.next();
        BatchIterator.release(batch);
        assertTrue(batch.getFeatures(0).wasClosed() && batch.getLabels(0).wasClosed(), "a released batch's arrays are freed");
    }

    /** ImageNet's layout and names with empty files: the index reads names, never contents. */
    static Path imagenetNames(Path root) throws IOException {
        StringBuilder synsets = new StringBuilder(), labels = new StringBuilder();
        for (int c = 0; c < CLASSES; c++) {
            String wnid = String.format(Locale.ROOT, "n%08d", 1440764 + c);
            synsets.append(wnid).append(" class ").append(c).append('\n');
            Path dir = Files.createDirectories(root.resolve("train").resolve(wnid));
            for (int i = 0; i < PER_CLASS; i++) Files.createFile(dir.resolve(wnid + "_" + (10000 + i) + ".JPEG"));
        }
        Path val = Files.createDirectories(root.resolve("val"));
        for (int i = 1; i <= VAL; i++) {
            Files.createFile(val.resolve(String.format(Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", i)));
            labels.append(String.format(Locale.ROOT, "n%08d", 1440764 + i % CLASSES)).append('\n');
        }
        Files.writeString(root.resolve("LOC_synset_mapping.txt"), synsets);
        Files.writeString(root.resolve("labels.txt"), labels);
        return root;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the least of a few full collections: what is really held
            System.gc();
            used = Math.min(used, r.totalMemory() - r.freeMemory());
        }
        return used;
    }
}
