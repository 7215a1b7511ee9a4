package io.inception4j.data;

import io.inception4j.config.DataConfig;

import java.util.List;
import java.util.Random;

/**
 * RandAugment (Cubuk et al. 2020) and TrivialAugment (Mueller and Hutter 2021) as torchvision implements them
 * ({@code torchvision.transforms.RandAugment(num_ops, magnitude, num_magnitude_bins=31)} and
 * {@code TrivialAugmentWide(num_magnitude_bins=31)}), on the 8-bit pixels of one cropped and flipped image
 * ({@link ImageOps}). RandAugment applies {@code n} ops, each drawn uniformly with replacement, at magnitude bin
 * {@code m}; TrivialAugmentWide one op at a bin drawn uniformly from 0..30. The signed ops (shears,
 * translations, rotation, the four enhancements) take a random sign. Magnitudes at bin b of 31, as
 * torchvision's {@code _augmentation_space} (linspace(0, max, 31)[b] = max x b / 30):
 *
 * <pre>
 * op                   RandAugment              TrivialAugmentWide
 * shear_x, shear_y     0.3 b/30                 0.99 b/30
 * translate_x, _y      150/331 x size x b/30    32 b/30 pixels
 * rotate               30 b/30 degrees          135 b/30 degrees
 * brightness, color,
 *   contrast, sharpness  factor 1 +- 0.9 b/30   factor 1 +- 0.99 b/30
 * posterize            8 - round(b / 7.5) bits  8 - round(b / 5) bits
 * solarize             threshold 255 (1 - b/30) the same
 * identity, auto_contrast, equalize: no magnitude
 * </pre>
 *
 * Every draw comes from the {@code Random} the caller seeds for the image (see {@link BatchIterator}).
 */
final class RandAugment {
    private final boolean trivial;
    private final int n, m;
    private final int[] ops; // indices into DataConfig.RandAugment.OPS

    private RandAugment(boolean trivial, int n, int m, List<String> ops) {
        this.trivial = trivial;
        this.n = n;
        this.m = m;
        this.ops = ops.stream().mapToInt(DataConfig.RandAugment.OPS::indexOf).toArray();
    }

    /** The policy the config asks for, or null when neither is on. */
    static RandAugment of(DataConfig.Augment a) {
        if (a == null) return null;
        if (a.trivialAugment()) return new RandAugment(true, 1, 0, DataConfig.RandAugment.OPS);
        if (a.randAugment() != null && a.randAugment().n() > 0) {
            return new RandAugment(false, a.randAugment().n(), a.randAugment().m(), a.randAugment().ops());
        }
        return null;
    }

    /** This thread's second pixel buffer and histogram: the ops alternate between it and the image's. */
    private static final class Scratch {
        byte[] other = new byte[0];
        final int[] hist = new int[256];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Applies the policy to the h x w BGR pixels in {@code px}; returns the array that holds the result: {@code px}
     * itself or this thread's other buffer (valid until this thread's next call).
     */
    byte[] apply(byte[] px, int h, int w, Random rnd) {
        Scratch s = SCRATCH.get();
        if (s.other.length < px.length) s.other = new byte[px.length];
        byte[] src = px, dst = s.other;
        for (int k = 0; k < n; k++) {
            int op = ops[rnd.nextInt(ops.length)];
            int bin = trivial && hasMagnitude(op) ? rnd.nextInt(31) : m;
            double magnitude = magnitude(op, bin, trivial, h, w);
            if (signed(op) && rnd.nextBoolean()) magnitude = -magnitude;
            if (apply(op, magnitude, src, dst, h, w, s.hist)) {
                byte[] t = src;
                src = dst;
                dst = t;
            }
        }
        return src;
    }

    /** Op {@code op} at {@code magnitude} from src into dst; false when it left src as it was and wrote nothing. */
    static boolean apply(int op, double magnitude, byte[] src, byte[] dst, int h, int w, int[] hist) {
        switch (DataConfig.RandAugment.OPS.get(op)) {
            case "identity" -> { return false; }
            case "shear_x" -> ImageOps.shearX(src, dst, h, w, magnitude);
            case "shear_y" -> ImageOps.shearY(src, dst, h, w, magnitude);
            case "translate_x" -> ImageOps.translate(src, dst, h, w, (int) magnitude, 0);
            case "translate_y" -> ImageOps.translate(src, dst, h, w, 0, (int) magnitude);
            case "rotate" -> ImageOps.rotate(src, dst, h, w, magnitude);
            case "brightness" -> ImageOps.brightness(src, dst, h, w, 1 + magnitude);
            case "color" -> ImageOps.color(src, dst, h, w, 1 + magnitude);
            case "contrast" -> ImageOps.contrast(src, dst, h, w, 1 + magnitude);
            case "sharpness" -> ImageOps.sharpness(src, dst, h, w, 1 + magnitude);
            case "posterize" -> ImageOps.posterize(src, dst, h, w, (int) magnitude);
            case "solarize" -> ImageOps.solarize(src, dst, h, w, magnitude);
            case "auto_contrast" -> ImageOps.autoContrast(src, dst, h, w);
            case "equalize" -> ImageOps.equalize(src, dst, h, w, hist);
            default -> throw new IllegalArgumentException("no op " + op);
        }
        return true;
    }

    /** Bin {@code bin} of 31 of torchvision's magnitudes for op {@code op} on an h x w image (unsigned). */
    static double magnitude(int op, int bin, boolean trivial, int h, int w) {
        double t = bin / 30.0;
        return switch (DataConfig.RandAugment.OPS.get(op)) {
            case "shear_x", "shear_y" -> (trivial ? 0.99 : 0.3) * t;
            case "translate_x" -> (trivial ? 32.0 : 150.0 / 331.0 * w) * t;
            case "translate_y" -> (trivial ? 32.0 : 150.0 / 331.0 * h) * t;
            case "rotate" -> (trivial ? 135.0 : 30.0) * t;
            case "brightness", "color", "contrast", "sharpness" -> (trivial ? 0.99 : 0.9) * t;
            case "posterize" -> 8 - Math.rint(bin / (30.0 / (trivial ? 6 : 4)));
            case "solarize" -> 255.0 * (1 - t);
            default -> 0.0;
        };
    }

    private static boolean hasMagnitude(int op) {
        String name = DataConfig.RandAugment.OPS.get(op);
        return !name.equals("identity") && !name.equals("auto_contrast") && !name.equals("equalize");
    }

    private static boolean signed(int op) {
        String name = DataConfig.RandAugment.OPS.get(op);
        return hasMagnitude(op) && !name.equals("posterize") && !name.equals("solarize");
    }
}
