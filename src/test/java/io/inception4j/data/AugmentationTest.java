package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipes' augmentations in the pipeline (issue 30): identical batches for a seed, and the old batches when off. */
class AugmentationTest {

    /** CRC-32 of a batch's features and of every head's labels, as raw floats. */
    static long checksum(MultiDataSet b) {
        CRC32 crc = new CRC32();
        java.util.List<org.nd4j.linalg.api.ndarray.INDArray> arrays = new java.util.ArrayList<>(java.util.List.of(b.getFeatures()));
        arrays.addAll(java.util.List.of(b.getLabels()));
        for (var a : arrays) {
            for (float f : a.dup().data().asFloat()) {
                int bits = Float.floatToIntBits(f);
                crc.update(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
            }
        }
        return crc.getValue();
    }

    /**
     * With every new key at its default, a seed gives the batches it gave before issue 30 (checksums taken from the
     * code before it, on the same generated set): existing runs resume and reproduce as they did.
     */
    @Test
    void theDefaultsGiveTheBatchesOfBefore(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 8, 0);
        DataConfig c = DataPipelineTest.config("{name: t, layout: folders, cache: memory, workers: 2, split: {train: 0.5, val: 0.25, test: 0.25},"
                + " augment: {color: 0.2}}");
        Dataset d = Dataset.prepare(c, dir, Map.of(), 9, 37);
        StringBuilder sums = new StringBuilder();
        for (int epoch = 0; epoch < 2; epoch++) {
            BatchIterator it = d.batches(d.splits().train(), 32, 32, 5, 2, true, 0.1, 9);
            it.setEpoch(epoch);
            while (it.hasNext()) sums.append(Long.toHexString(checksum(it.next()))).append(' ');
        }
        BatchIterator val = d.batches(d.splits().val(), 32, 32, 5, 1, false, 0, 9);
        while (val.hasNext()) sums.append(Long.toHexString(checksum(val.next()))).append(' ');
        assertEquals("2ad037e2 9cf7842f fe364579 db0537a2 4cf2855b 67576b57 db8a7b16 c704944f", sums.toString().strip());
    }

    static final String ALL_ON = "augment: {color: 0.2, rand_augment: {n: 2, m: 9}, random_erasing: {p: 0.5},"
            + " mixup_alpha: 0.2, cutmix_alpha: 1.0, mix_prob: 1.0, switch_prob: 0.5}";

    static java.util.List<MultiDataSet> epochs(Dataset d, int epochs, double smoothing) {
        java.util.List<MultiDataSet> batches = new java.util.ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            BatchIterator it = d.batches(d.splits().train(), 32, 32, 5, 2, true, smoothing, 9);
            it.setEpoch(epoch);
            while (it.hasNext()) batches.add(it.next());
        }
        return batches;
    }

    static Dataset dataset(Path dir, String cache, int workers, String augment) {
        DataConfig c = DataPipelineTest.config("{name: t, layout: folders, cache: " + cache + ", workers: " + workers
                + ", split: {train: 0.5, val: 0.25, test: 0.25}, " + augment + "}");
        return Dataset.prepare(c, dir, Map.of(), 9, 37);
    }

    /** Every augmentation on: the same seed gives the same pixels and soft labels, whatever the threads and the cache. */
    @Test
    void oneSeedGivesIdenticalBatchesWhateverTheWorkersAndTheCache(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 12, 0);
        for (String policy : java.util.List.of(ALL_ON, ALL_ON.replace("rand_augment: {n: 2, m: 9}", "trivial_augment: true"))) {
            java.util.List<MultiDataSet> reference = epochs(dataset(dir, "memory", 1, policy), 2, 0.1);
            for (String[] variant : new String[][] {{"memory", "1"}, {"memory", "2"}, {"none", "2"}}) {
                java.util.List<MultiDataSet> batches = epochs(dataset(dir, variant[0], Integer.parseInt(variant[1]), policy), 2, 0.1);
                assertEquals(reference.size(), batches.size());
                for (int i = 0; i < batches.size(); i++) {
                    assertEquals(reference.get(i).getFeatures(0), batches.get(i).getFeatures(0), String.join("/", variant) + ": batch " + i);
                    assertEquals(reference.get(i).getLabels(0), batches.get(i).getLabels(0), String.join("/", variant) + ": batch " + i);
                    assertEquals(batches.get(i).getLabels(0), batches.get(i).getLabels(1), "every head gets the same soft labels");
                }
            }
            long mixed = reference.stream().mapToLong(b -> {
                long rows = 0;
                for (int i = 0; i < b.getLabels(0).size(0); i++) if (b.getLabels(0).getRow(i).maxNumber().doubleValue() < 0.9) rows++;
                return rows;
            }).sum();
            assertTrue(mixed > 0, "some images have mixed labels");
        }
    }

    /** A run resumed mid-epoch (skip) gets exactly the batches an unbroken one gets next. */
    @Test
    void resumingMidEpochGivesTheSameNextBatches(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 12, 0);
        Dataset d = dataset(dir, "memory", 2, ALL_ON);
        BatchIterator whole = d.batches(d.splits().train(), 32, 32, 5, 2, true, 0.1, 9);
        whole.setEpoch(1);
        java.util.List<MultiDataSet> all = new java.util.ArrayList<>();
        while (whole.hasNext()) all.add(whole.next());
        BatchIterator resumed = d.batches(d.splits().train(), 32, 32, 5, 2, true, 0.1, 9);
        resumed.setEpoch(1);
        resumed.skip(2);
        for (int i = 2; i < all.size(); i++) {
            MultiDataSet b = resumed.next();
            assertEquals(all.get(i).getFeatures(0), b.getFeatures(0), "batch " + i);
            assertEquals(all.get(i).getLabels(0), b.getLabels(0), "batch " + i);
        }
    }

    /**
     * Mixup end to end: each row of labels sums to 1 (with label smoothing too), and each image is lambda times its own
     * unmixed self plus 1 - lambda times its partner's, lambda read off the labels. The unmixed batch is the same
     * iterator without mixup: the crops draw from their own stream, so they do not change.
     */
    @Test
    void mixupLabelsSumToOneAndMatchTheMixedPixels(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 12, 0);
        java.util.List<MultiDataSet> plain = epochs(dataset(dir, "memory", 2, "augment: {}"), 1, 0);
        java.util.List<MultiDataSet> mixed = epochs(dataset(dir, "memory", 2, "augment: {mixup_alpha: 0.4}"), 1, 0);
        java.util.List<MultiDataSet> smoothed = epochs(dataset(dir, "memory", 2, "augment: {mixup_alpha: 0.4}"), 1, 0.1);
        int checked = 0;
        for (int b = 0; b < plain.size(); b++) {
            var y = mixed.get(b).getLabels(0);
            var y0 = plain.get(b).getLabels(0);
            int n = (int) y.size(0);
            for (int i = 0; i < n; i++) {
                assertEquals(1.0, y.getRow(i).sumNumber().doubleValue(), 1e-6);
                assertEquals(1.0, smoothed.get(b).getLabels(0).getRow(i).sumNumber().doubleValue(), 1e-6);
                // smoothing on top of the mix: timm's mixup_target, lambda smooth(y) + (1 - lambda) smooth(y_partner)
                assertTrue(y.getRow(i).mul(0.9).add(0.1 / 3).equalsWithEps(smoothed.get(b).getLabels(0).getRow(i), 1e-6), "smoothed row " + i);
                int own = y0.getRow(i).argMax().getInt(0), partner = y0.getRow(n - 1 - i).argMax().getInt(0);
                if (own == partner) continue;
                double lambda = y.getDouble(i, own);
                assertEquals(1 - lambda, y.getDouble(i, partner), 1e-6);
                var expected = plain.get(b).getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).mul(lambda)
                        .add(plain.get(b).getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.point(n - 1 - i)).mul(1 - lambda));
                var actual = mixed.get(b).getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
                assertTrue(expected.equalsWithEps(actual, 1e-5), "batch " + b + ", image " + i);
                checked++;
            }
        }
        assertTrue(checked > 0);
    }

    /** Validation and test batches are never augmented or mixed, whatever the config says. */
    @Test
    void evaluationBatchesAreNeverAugmented(@TempDir Path tmp) throws IOException {
        Path dir = DataPipelineTest.generate(tmp.resolve("set"), DataConfig.Layout.FOLDERS, 3, 12, 0);
        Dataset on = dataset(dir, "memory", 2, ALL_ON), off = dataset(dir, "memory", 2, "augment: {}");
        BatchIterator a = on.batches(on.splits().val(), 32, 32, 5, 1, false, 0, 9), b = off.batches(off.splits().val(), 32, 32, 5, 1, false, 0, 9);
        while (a.hasNext()) {
            MultiDataSet x = a.next(), y = b.next();
            assertEquals(y.getFeatures(0), x.getFeatures(0));
            assertEquals(y.getLabels(0), x.getLabels(0));
            assertEquals(1.0, x.getLabels(0).maxNumber().doubleValue());
        }
    }
}
