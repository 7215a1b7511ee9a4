package io.inception4j.data;

import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Train/validation/test splits: the dataset's own (split folders, ImageNet) or seeded and stratified: each
 * class is shuffled with the seed and cut by the configured counts (17-flowers: 40/20/20, the official
 * protocol) or fractions. Same seed, same split.
 */
public record Splits(SampleList train, SampleList val, SampleList test) {

    /** The layout's own split when it has one, else a seeded stratified split by {@code split}. */
    public static Splits of(ImageIndex index, DataConfig.Split split, long seed) {
        if (index.given() != null) return index.given();
        SampleList all = index.samples();
        int[] perClass = new int[index.classes().size()];
        for (int i = 0; i < all.size(); i++) perClass[all.label(i)]++;
        int[][] members = new int[perClass.length][];
        for (int c = 0; c < perClass.length; c++) members[c] = new int[perClass[c]];
        int[] filled = new int[perClass.length];
        for (int i = 0; i < all.size(); i++) members[all.label(i)][filled[all.label(i)]++] = i;
        IntStream.Builder train = IntStream.builder(), val = IntStream.builder(), test = IntStream.builder();
        for (int c = 0; c < index.classes().size(); c++) {
            int[] cls = members[c];
            shuffle(cls, new Random(seed * 31 + c));
            int n = cls.length;
            int nTrain, nVal, nTest;
            if (split.isCounts()) {
                nTrain = split.train().intValue();
                nVal = split.val().intValue();
                nTest = split.test().intValue();
                if (nTrain + nVal + nTest > n) {
                    throw new ConfigException("data.split: class '" + index.classes().get(c) + "' has " + n
                            + " images, fewer than " + nTrain + " + " + nVal + " + " + nTest);
                }
            } else {
                nVal = (int) Math.round(n * split.val());
                nTest = (int) Math.round(n * split.test());
                nTrain = Math.min(n - nVal - nTest, (int) Math.round(n * split.train()));
            }
            for (int i = 0; i < nTrain; i++) train.add(cls[i]);
            for (int i = nTrain; i < nTrain + nVal; i++) val.add(cls[i]);
            for (int i = nTrain + nVal; i < nTrain + nVal + nTest; i++) test.add(cls[i]);
        }
        return new Splits(all.select(train.build().toArray()), all.select(val.build().toArray()), all.select(test.build().toArray()));
    }

    /** Collections.shuffle's permutation, on an int array: the splits of runs made before the compact index stay the same. */
    static void shuffle(int[] a, Random rnd) {
        for (int i = a.length; i > 1; i--) {
            int j = rnd.nextInt(i), t = a[i - 1];
            a[i - 1] = a[j];
            a[j] = t;
        }
    }

    /** Writes train.txt, val.txt and test.txt (one "path label" line per image) into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("train.txt"), train);
        write(dir.resolve("val.txt"), val);
        write(dir.resolve("test.txt"), test);
    }

    private static void write(Path f, List<Sample> samples) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Sample s : samples) sb.append(s.file().toAbsolutePath()).append(' ').append(s.label()).append('\n');
        AtomicFiles.writeString(f, sb.toString());
    }
}
