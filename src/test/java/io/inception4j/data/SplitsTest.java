package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitsTest {
    /** 17-flowers shaped: 17 classes x 80 images in class order. */
    static ImageIndex flowersShaped() {
        SampleList.Builder s = SampleList.builder(Path.of("flowers"));
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 17; c++) classes.add("class" + c);
        for (int n = 1; n <= 1360; n++) s.add(Path.of("flowers", String.format("jpg/image_%04d.jpg", n)), (n - 1) / 80);
        return new ImageIndex(classes, s.build(), null);
    }

    /** The compact index draws the split the Sample lists drew (Collections.shuffle per class): old runs resume on it. */
    @Test
    void theSplitIsTheOneDrawnBeforeTheCompactIndex() {
        ImageIndex index = flowersShaped();
        for (long seed : new long[] {1, 2, 3, 42}) {
            List<Sample> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
            for (int c = 0; c < 17; c++) {
                final int label = c;
                List<Sample> cls = new ArrayList<>(index.samples().stream().filter(x -> x.label() == label).toList());
                java.util.Collections.shuffle(cls, new java.util.Random(seed * 31 + c));
                train.addAll(cls.subList(0, 40));
                val.addAll(cls.subList(40, 60));
                test.addAll(cls.subList(60, 80));
            }
            Splits s = Splits.of(index, OFFICIAL, seed);
            assertEquals(train, s.train(), "seed " + seed);
            assertEquals(val, s.val(), "seed " + seed);
            assertEquals(test, s.test(), "seed " + seed);
        }
    }

    static final DataConfig.Split OFFICIAL = new DataConfig.Split(40.0, 20.0, 20.0);

    @Test
    void everyClassGetsFortyTwentyTwentyAndNoImageIsInTwoSplits() {
        Splits s = Splits.of(flowersShaped(), OFFICIAL, 42);
        for (int c = 0; c < 17; c++) {
            final int label = c;
            assertEquals(40, s.train().stream().filter(x -> x.label() == label).count());
            assertEquals(20, s.val().stream().filter(x -> x.label() == label).count());
            assertEquals(20, s.test().stream().filter(x -> x.label() == label).count());
        }
        Set<Sample> seen = new HashSet<>(s.train());
        s.val().forEach(x -> assertTrue(seen.add(x)));
        s.test().forEach(x -> assertTrue(seen.add(x)));
        assertEquals(1360, seen.size());
    }

    @Test
    void theSeedDecidesTheSplit() {
        assertEquals(Splits.of(flowersShaped(), OFFICIAL, 42), Splits.of(flowersShaped(), OFFICIAL, 42));
        assertNotEquals(Splits.of(flowersShaped(), OFFICIAL, 42).test(), Splits.of(flowersShaped(), OFFICIAL, 43).test());
    }

    @Test
    void fractionsSplitEachClass() {
        Splits s = Splits.of(flowersShaped(), new DataConfig.Split(0.5, 0.25, 0.25), 1);
        assertEquals(17 * 40, s.train().size());
        assertEquals(17 * 20, s.val().size());
    }

    @Test
    void tooFewImagesForTheCountsIsAClearError() {
        var e = assertThrows(io.inception4j.config.ConfigException.class,
                () -> Splits.of(flowersShaped(), new DataConfig.Split(60.0, 20.0, 20.0), 1));
        assertEquals("data.split: class 'class0' has 80 images, fewer than 60 + 20 + 20", e.getMessage());
    }
}
