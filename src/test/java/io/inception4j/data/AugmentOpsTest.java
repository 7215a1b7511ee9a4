package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each augmentation op of issue 30 on its own: torchvision's and timm's definitions, checked by hand-worked cases. */
class AugmentOpsTest {
    static final int H = 24, W = 20;

    static byte[] noise(long seed) {
        byte[] px = new byte[H * W * 3];
        new Random(seed).nextBytes(px);
        return px;
    }

    static int at(byte[] px, int y, int x, int c) {
        return px[(y * W + x) * 3 + c] & 0xff;
    }

    @Test
    void everyMagnitudeOpIsTheIdentityAtBinZero() {
        byte[] src = noise(1), dst = new byte[src.length];
        int[] hist = new int[256];
        for (String name : List.of("shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "color", "contrast",
                "sharpness", "posterize")) {
            int op = DataConfig.RandAugment.OPS.indexOf(name);
            for (boolean trivial : new boolean[] {false, true}) {
                for (double sign : name.equals("posterize") ? new double[] {1} : new double[] {1, -1}) {
                    double m = sign * RandAugment.magnitude(op, 0, trivial, H, W);
                    java.util.Arrays.fill(dst, (byte) 7);
                    RandAugment.apply(op, m, src, dst, H, W, hist);
                    assertArrayEquals(src, dst, name + " at magnitude " + m);
                }
            }
        }
        // Solarize's bin 0 is the threshold 255: only pure white changes (to black), as in torchvision and PIL.
        byte[] white = src.clone();
        white[0] = (byte) 255;
        ImageOps.solarize(white, dst, H, W, RandAugment.magnitude(DataConfig.RandAugment.OPS.indexOf("solarize"), 0, false, H, W));
        assertEquals(0, dst[0]);
        for (int i = 1; i < src.length; i++) assertEquals((src[i] & 0xff) == 255 ? 0 : src[i] & 0xff, dst[i] & 0xff, "byte " + i);
    }

    @Test
    void theMagnitudesAreTorchvisionsBins() {
        int rotate = DataConfig.RandAugment.OPS.indexOf("rotate"), posterize = DataConfig.RandAugment.OPS.indexOf("posterize");
        int translate = DataConfig.RandAugment.OPS.indexOf("translate_x"), solarize = DataConfig.RandAugment.OPS.indexOf("solarize");
        assertEquals(9.0, RandAugment.magnitude(rotate, 9, false, 224, 224), 1e-12);       // linspace(0, 30, 31)[9]
        assertEquals(135.0, RandAugment.magnitude(rotate, 30, true, 224, 224), 1e-12);
        assertEquals(150.0 / 331 * 224 * 9 / 30, RandAugment.magnitude(translate, 9, false, 128, 224), 1e-9);
        assertEquals(32.0, RandAugment.magnitude(translate, 30, true, 128, 224), 1e-12);
        assertEquals(7, RandAugment.magnitude(posterize, 9, false, 1, 1));                 // 8 - round(9 / 7.5)
        assertEquals(4, RandAugment.magnitude(posterize, 30, false, 1, 1));
        assertEquals(2, RandAugment.magnitude(posterize, 30, true, 1, 1));                 // 8 - round(30 / 5)
        assertEquals(255 * 21 / 30.0, RandAugment.magnitude(solarize, 9, false, 1, 1), 1e-9);
    }

    @Test
    void theGeometricOpsMovePixelsAsTorchvisionDoes() {
        byte[] src = noise(2), dst = new byte[src.length];
        ImageOps.translate(src, dst, H, W, 3, 0); // TranslateX +3: the image moves right, black comes in on the left
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) assertEquals(x < 3 ? 0 : at(src, y, x - 3, 1), at(dst, y, x, 1));
        }
        ImageOps.shearX(src, dst, H, W, 0.25); // output (x, y) reads input (x + 0.25 (y + 0.5) ...), nearest
        assertEquals(at(src, 0, 5, 0), at(dst, 0, 5, 0));
        assertEquals(at(src, 8, 7, 2), at(dst, 8, 5, 2)); // 5 + 0.25 x 8.5 = 7.125 -> 7
        byte[] sq = new byte[W * W * 3], out = new byte[sq.length];
        new Random(3).nextBytes(sq);
        ImageOps.rotate(sq, out, W, W, 90); // counter-clockwise: the top row becomes the left column, reversed
        for (int x = 0; x < W; x++) assertEquals(sq[x * 3] , out[((W - 1 - x) * W) * 3], "column " + x);
    }

    @Test
    void thePixelOpsFollowTheirDefinitions() {
        byte[] src = noise(4), dst = new byte[src.length];
        ImageOps.posterize(src, dst, H, W, 3);
        for (int i = 0; i < src.length; i++) assertEquals(src[i] & 0xe0, dst[i] & 0xff);
        ImageOps.brightness(src, dst, H, W, 0.5);
        for (int i = 0; i < src.length; i++) assertEquals((src[i] & 0xff) / 2, dst[i] & 0xff); // truncated halves
        // AutoContrast: a channel spanning 50..150 is stretched to 0..255
        byte[] flat = new byte[src.length];
        for (int i = 0; i < flat.length; i++) flat[i] = (byte) (50 + (i / 3) % 101);
        ImageOps.autoContrast(flat, dst, H, W);
        int lo = 255, hi = 0;
        for (int i = 0; i < dst.length; i++) {
            lo = Math.min(lo, dst[i] & 0xff);
            hi = Math.max(hi, dst[i] & 0xff);
        }
        assertEquals(0, lo);
        assertEquals(255, hi);
        // Equalize: two values, half the pixels each: step = (480 - 240) / 255 = 0 -> unchanged (PIL's rule)
        byte[] two = new byte[src.length];
        for (int i = 0; i < two.length; i++) two[i] = (byte) ((i / 3) % 2 == 0 ? 10 : 200);
        ImageOps.equalize(two, dst, H, W, new int[256]);
        assertArrayEquals(two, dst);
        // ... and on noise it flattens the histogram: lut = (count below + step / 2) / step
        ImageOps.equalize(src, dst, H, W, new int[256]);
        int[] hist = new int[256];
        for (int i = 0; i < src.length; i += 3) hist[src[i] & 0xff]++;
        int last = 255;
        while (hist[last] == 0) last--;
        int step = (H * W - hist[last]) / 255, below = 0;
        int v0 = src[0] & 0xff;
        for (int v = 0; v < v0; v++) below += hist[v];
        assertEquals(Math.min(255, (below + step / 2) / step), dst[0] & 0xff);
        // Sharpness at factor 0 is the smoothed image: the centre weighs 5 of 13, borders unchanged
        ImageOps.sharpness(src, dst, H, W, 0);
        int s = 4 * at(src, 5, 5, 1);
        for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) s += at(src, 5 + dy, 5 + dx, 1);
        assertEquals((int) Math.rint(s / 13f), at(dst, 5, 5, 1));
        assertEquals(at(src, 0, 5, 1), at(dst, 0, 5, 1));
    }

    @Test
    void randAugmentIsDrawnFromItsRandomAlone() {
        var policy = RandAugment.of(new DataConfig.Augment(null, null, null, null, new DataConfig.RandAugment(3, 12, null),
                null, null, null, null, null, null));
        assertNotNull(policy);
        byte[] a = noise(5), b = noise(5);
        byte[] ra = policy.apply(a, H, W, new Random(9)).clone(), rb = policy.apply(b, H, W, new Random(9)).clone();
        assertArrayEquals(ra, rb);
        assertNull(RandAugment.of(new DataConfig.Augment(null, null, null, null)), "off by default");
    }

    @Test
    void cutmixBoxesHaveTheCorrectedLambdaAsTheirArea() {
        Mixing cut = Mixing.of(augment(0, 1.0, 1.0, 0.5));
        Random rnd = new Random(11);
        int boxes = 0;
        for (int i = 0; i < 2000; i++) {
            Mixing.Draw d = cut.draw(H, W, rnd);
            assertTrue(d.cutmix());
            assertTrue(0 <= d.y0() && d.y0() <= d.y1() && d.y1() <= H && 0 <= d.x0() && d.x0() <= d.x1() && d.x1() <= W, d.toString());
            assertEquals(1 - (d.y1() - d.y0()) * (d.x1() - d.x0()) / (double) (H * W), d.lambda(), 1e-12, d.toString());
            if (d.lambda() < 1) boxes++;
        }
        assertTrue(boxes > 1500, boxes + " of 2000 batches got a box");
        // The box is swapped between partners: image 0 and 2 of 3; the middle one is its own partner.
        Mixing.Draw d = new Mixing.Draw(1 - 6.0 / (H * W), true, 2, 4, 5, 8);
        float[] x = new float[3 * 3 * H * W];
        for (int i = 0; i < x.length; i++) x[i] = i / (3 * H * W); // each image filled with its index
        Mixing.mixImages(d, FloatBuffer.wrap(x), 3, H, W);
        int size = 3 * H * W;
        assertEquals(2f, x[2 * W + 5]);
        assertEquals(0f, x[2 * W + 4]);
        assertEquals(0f, x[2 * size + 3 * W + 7]); // image 2, channel 0, (3, 7): image 0's pixel
        assertEquals(1f, x[size + 2 * W + 5]);
    }

    @Test
    void mixupBlendsPartnersAndSwitchProbChoosesCutmix() {
        float[] x = {1, 2, 3, 5, 6, 7}; // two 1 x 1 images: x = 0.75 x + 0.25 x_partner
        Mixing.mixImages(new Mixing.Draw(0.75, false, 0, 0, 0, 0), FloatBuffer.wrap(x), 2, 1, 1);
        assertArrayEquals(new float[] {2, 3, 4, 4, 5, 6}, x);
        Mixing both = Mixing.of(augment(0.2, 1.0, 1.0, 0.3));
        Random rnd = new Random(5);
        int cut = 0;
        for (int i = 0; i < 4000; i++) if (both.draw(H, W, rnd).cutmix()) cut++;
        assertEquals(0.3, cut / 4000.0, 0.03);
        Mixing rarely = Mixing.of(augment(0.2, 0, 0.25, 0.5));
        int mixed = 0;
        for (int i = 0; i < 4000; i++) if (rarely.draw(H, W, rnd).lambda() < 1) mixed++;
        assertEquals(0.25, mixed / 4000.0, 0.03);
    }

    @Test
    void betaSamplesHaveTheBetaDistributionsMeanAndVariance() {
        for (double alpha : new double[] {0.2, 1.0, 2.0}) {
            Random rnd = new Random(7);
            double sum = 0, sq = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                double b = Mixing.beta(alpha, rnd);
                assertTrue(b >= 0 && b <= 1, "sample " + b);
                sum += b;
                sq += b * b;
            }
            double mean = sum / n, var = sq / n - mean * mean;
            assertEquals(0.5, mean, 0.01, "alpha " + alpha);
            assertEquals(1 / (4 * (2 * alpha + 1)), var, 0.01, "alpha " + alpha); // Beta(a, a): 1 / (4 (2a + 1))
        }
    }

    @Test
    void erasedRectanglesStayWithinTheirAreaAndAspectBounds() {
        var config = new DataConfig.RandomErasing(1.0, null, null, null);
        RandomErasing e = new RandomErasing(config);
        int h = 128, w = 128, erased = 0;
        Random rnd = new Random(13);
        for (int i = 0; i < 5000; i++) {
            int[] b = e.box(h, w, rnd);
            if (b == null) continue;
            erased++;
            assertTrue(b[2] < h && b[3] < w && b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= h && b[1] + b[3] <= w, java.util.Arrays.toString(b));
            double area = b[2] * b[3] / (double) (h * w);
            // sides rounded to whole pixels: the area within a pixel's rounding of [0.02, 0.33]
            double slack = (b[2] + b[3] + 1) / (double) (h * w);
            assertTrue(area >= 0.02 - slack && area <= 0.33 + slack, "area " + area);
        }
        assertTrue(erased > 4900, erased + " of 5000 images erased at p = 1");
        RandomErasing never = new RandomErasing(new DataConfig.RandomErasing(0.0, null, null, null));
        for (int i = 0; i < 100; i++) assertNull(never.box(h, w, rnd));
        // pixel mode writes normal values inside the box only
        float[] img = new float[3 * h * w];
        e.apply(FloatBuffer.wrap(img), 0, h, w, new Random(1));
        int changed = 0;
        for (float v : img) if (v != 0) changed++;
        int[] b = e.box(h, w, new Random(1));
        assertEquals(3 * b[2] * b[3], changed);
    }

    static DataConfig.Augment augment(double mixup, double cutmix, double prob, double switchProb) {
        return new DataConfig.Augment(null, null, null, null, null, null, null, mixup, cutmix, prob, switchProb);
    }
}
