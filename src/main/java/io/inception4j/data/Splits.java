package io.inception4j.data;

import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Train/validation/test splits: the dataset's own (split folders, ImageNet) or seeded and stratified: each
 * class is shuffled with the seed and cut by the configured counts (17-flowers: 40/20/20, the official
 * protocol) or fractions. Same seed, same split.
 */
public record Splits(List<Sample> train, List<Sample> val, List<Sample> test) {

    /** The layout's own split when it has one, else a seeded stratified split by {@code split}. */
    public static Splits of(ImageIndex index, DataConfig.Split split, long seed) {
        if (index.given() != null) return index.given();
        List<Sample> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < index.classes().size(); c++) {
            final int label = c;
            List<Sample> cls = new ArrayList<>(index.samples().stream().filter(s -> s.label() == label).toList());
            Collections.shuffle(cls, new Random(seed * 31 + c));
            int n = cls.size();
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
            train.addAll(cls.subList(0, nTrain));
            val.addAll(cls.subList(nTrain, nTrain + nVal));
            test.addAll(cls.subList(nTrain + nVal, nTrain + nVal + nTest));
        }
        return new Splits(List.copyOf(train), List.copyOf(val), List.copyOf(test));
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
