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
        List<Sample> s = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 17; c++) classes.add("class" + c);
        for (int n = 1; n <= 1360; n++) s.add(new Sample(Path.of(String.format("jpg/image_%04d.jpg", n)), (n - 1) / 80));
        return new ImageIndex(classes, s, null);
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
