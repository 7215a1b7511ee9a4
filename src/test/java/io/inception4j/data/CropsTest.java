package io.inception4j.data;

import io.inception4j.config.ConfigException;
import io.inception4j.data.Crops.Box;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the 1, 10 and 144 crops of an image are, worked out by hand, and their pixels. */
class CropsTest {
    static final Preprocessing P224 = new Preprocessing(224, 224, 1.14);

    @Test
    void onlyOneTenAnd144AreCropCounts() {
        for (int n : List.of(1, 10, 144)) assertEquals(n, Crops.check(n));
        for (int n : List.of(0, 5, 12, -1)) {
            var e = assertThrows(ConfigException.class, () -> Crops.check(n));
            assertEquals("--crops " + n + ": expected 1, 10 or 144", e.getMessage());
        }
    }

    @Test
    void theTenCropsAreTheCornersAndTheCentreOfTheSingleCropsImageAndTheirMirrors() {
        // Decoded with the short side at 224 x 1.14 = 255: the single crop is 224 x 224 (255 / 1.14 = 223.7).
        assertEquals(255, P224.cacheSide());
        List<Box> landscape = Crops.boxes(10, P224, 340, 255);
        assertEquals(List.of(box(340, 255, 0, 0, 224), box(340, 255, 116, 0, 224), box(340, 255, 0, 31, 224),
                box(340, 255, 116, 31, 224), box(340, 255, 58, 15, 224)), landscape.subList(0, 5));
        List<Box> portrait = Crops.boxes(10, P224, 255, 340);
        assertEquals(List.of(box(255, 340, 0, 0, 224), box(255, 340, 31, 0, 224), box(255, 340, 0, 116, 224),
                box(255, 340, 31, 116, 224), box(255, 340, 15, 58, 224)), portrait.subList(0, 5));
        for (List<Box> boxes : List.of(landscape, portrait)) {
            assertEquals(10, boxes.size());
            for (int i = 0; i < 5; i++) {
                Box b = boxes.get(i), m = boxes.get(i + 5);
                assertEquals(false, b.mirror());
                assertEquals(new Box(b.imageWidth(), b.imageHeight(), b.x(), b.y(), b.width(), b.height(), true), m);
            }
        }
        assertEquals(List.of(Crops.centre(P224, 340, 255)), Crops.boxes(1, P224, 340, 255));
        assertEquals(Crops.centre(P224, 340, 255), landscape.get(4), "the single crop is the tenth's centre crop");
        assertEquals(255, Crops.decodeSide(10, P224));
    }

    @Test
    void the144CropsAreTheGoogLeNetPapersFourScalesThreeSquaresSixCropsAndMirrors() {
        assertArrayEquals(new int[] {256, 288, 320, 352}, Crops.scales(P224), "the paper's scales at 224 px");
        assertArrayEquals(new int[] {146, 165, 183, 201}, Crops.scales(new Preprocessing(128, 128, 1.14)), "x 128 / 224");
        assertEquals(352, Crops.decodeSide(144, P224));

        // A 2:1 landscape image decoded with its short side at 352.
        List<Box> boxes = Crops.boxes(144, P224, 704, 352);
        assertEquals(144, boxes.size());
        // Scale 256: the image is 512 x 256; squares at x = 0, 128, 256.
        assertEquals(List.of(box(512, 256, 0, 0, 224), box(512, 256, 32, 0, 224), box(512, 256, 0, 32, 224),
                box(512, 256, 32, 32, 224), box(512, 256, 16, 16, 224), box(512, 256, 0, 0, 256)), boxes.subList(0, 6));
        assertEquals(List.of(box(512, 256, 128, 0, 224), box(512, 256, 160, 0, 224), box(512, 256, 128, 32, 224),
                box(512, 256, 160, 32, 224), box(512, 256, 144, 16, 224), box(512, 256, 128, 0, 256)), boxes.subList(6, 12));
        assertEquals(box(512, 256, 256, 0, 256), boxes.get(17), "the right square, resized whole");
        // Scale 352 (as decoded): squares at x = 0, 176, 352; the right square's bottom-right corner crop.
        assertEquals(box(704, 352, 352 + 128, 128, 224), boxes.get(18 * 3 + 6 * 2 + 3));
        // Scales 288 and 320.
        assertEquals(box(576, 288, 144, 0, 288), boxes.get(18 + 6 + 5));
        assertEquals(box(640, 320, 320 + 48, 48, 224), boxes.get(36 + 12 + 4), "the right square's centre crop at 320");

        // The same image as a portrait: squares slide down (top, centre, bottom).
        List<Box> portrait = Crops.boxes(144, P224, 352, 704);
        assertEquals(List.of(box(256, 512, 0, 128, 224), box(256, 512, 32, 128, 224), box(256, 512, 0, 160, 224),
                box(256, 512, 32, 160, 224), box(256, 512, 16, 144, 224), box(256, 512, 0, 128, 256)), portrait.subList(6, 12));

        for (List<Box> all : List.of(boxes, portrait)) {
            for (int i = 0; i < 72; i++) {
                Box b = all.get(i), m = all.get(i + 72);
                assertEquals(false, b.mirror());
                assertEquals(new Box(b.imageWidth(), b.imageHeight(), b.x(), b.y(), b.width(), b.height(), true), m, "crop " + i + "'s mirror");
            }
            for (Box b : all) {
                assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= b.imageWidth() && b.y() + b.height() <= b.imageHeight(), b.toString());
            }
            assertEquals(144, all.stream().distinct().count(), "no crop twice for a non-square image");
        }
    }

    @Test
    void aSquareImageHasThreeIdenticalSquaresAsInThePaper() {
        List<Box> boxes = Crops.boxes(144, P224, 352, 352);
        assertEquals(144, boxes.size());
        assertEquals(boxes.subList(0, 6), boxes.subList(6, 12));
        assertEquals(box(256, 256, 0, 0, 256), boxes.get(5));
    }

    @Test
    void theSingleCropsBoxGivesPreprocessingsVeryPixelsAndMirrorsAreMirrored() {
        Mat image = randomImage(301, 255, 1);
        Preprocessing pre = P224;
        INDArray single = pre.decoded(image);
        float[] cut = new float[3 * 224 * 224], mirrored = new float[3 * 224 * 224];
        Box centre = Crops.boxes(1, pre, image.cols(), image.rows()).get(0);
        try (Crops.Cutter cutter = new Crops.Cutter(image.clone(), pre)) {
            cutter.write(centre, FloatBuffer.wrap(cut), 0);
            cutter.write(Crops.boxes(10, pre, image.cols(), image.rows()).get(9), FloatBuffer.wrap(mirrored), 0);
        }
        assertArrayEquals(single.data().asFloat(), cut, 0f);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 224; x++) {
                    int at = (c * 224 + y) * 224;
                    assertEquals(cut[at + x], mirrored[at + 223 - x], 0f);
                }
            }
        }
    }

    @Test
    void every144CropIsCutAtTheInputSize() {
        Preprocessing pre = new Preprocessing(32, 32, 1.14);
        Mat image = randomImage(Crops.decodeSide(144, pre) * 3 / 2, Crops.decodeSide(144, pre), 2);
        List<Box> boxes = Crops.boxes(144, pre, image.cols(), image.rows());
        FloatBuffer out = FloatBuffer.wrap(new float[144 * 3 * 32 * 32]);
        try (Crops.Cutter cutter = new Crops.Cutter(image, pre)) {
            for (int i = 0; i < boxes.size(); i++) cutter.write(boxes.get(i), out, i * 3 * 32 * 32);
        }
        for (float v : out.array()) assertTrue(v >= -1 && v <= 1);
    }

    private static Box box(int w, int h, int x, int y, int size) {
        return new Box(w, h, x, y, size, size, false);
    }

    private static Mat randomImage(int width, int height, long seed) {
        byte[] px = new byte[width * height * 3];
        new Random(seed).nextBytes(px);
        Mat m = new Mat(height, width, CV_8UC3);
        m.data().put(px);
        return m;
    }
}
