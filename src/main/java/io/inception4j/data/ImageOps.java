package io.inception4j.data;

/**
 * The image ops of torchvision's RandAugment and TrivialAugmentWide ({@code torchvision.transforms.autoaugment._apply_op}
 * and the functional ops it calls, as they work on uint8 tensors), on an 8-bit BGR image stored interleaved
 * (height x width x 3) in a byte array, as {@link Preprocessing#pixels} copies it out of its Mat. Each op reads
 * {@code src} and writes {@code dst} (two arrays of at least height x width x 3 bytes; the caller alternates them),
 * so an image leaves no garbage behind. Blends are computed in float and truncated to 8 bits, as torchvision's
 * {@code _blend} does; geometric ops sample the nearest pixel and fill with 0 (torchvision's defaults for both
 * policies: {@code InterpolationMode.NEAREST}, {@code fill=None}).
 */
final class ImageOps {
    private ImageOps() {}

    // Grey as torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B, truncated to 8 bits (channels are B, G, R here).
    private static int grey(byte[] px, int i) {
        return (int) (0.2989f * (px[i + 2] & 0xff) + 0.587f * (px[i + 1] & 0xff) + 0.114f * (px[i] & 0xff));
    }

    /** torchvision's _blend: ratio x a + (1 - ratio) x b, clamped to [0, 255] and truncated. */
    private static byte blend(float ratio, int a, float b) {
        float v = ratio * a + (1f - ratio) * b;
        return (byte) (int) Math.min(255f, Math.max(0f, v));
    }

    static void copy(byte[] src, byte[] dst, int h, int w) {
        System.arraycopy(src, 0, dst, 0, h * w * 3);
    }

    /**
     * An affine warp given by torchvision's {@code _get_inverse_affine_matrix(center, angle, translate, scale=1, shear)}
     * in its own coordinates (centred on the image: pixel (0, 0)'s centre is (-w/2 + 0.5, -h/2 + 0.5)), nearest
     * neighbour (round half to even, as grid_sample's "nearest"), fill 0.
     */
    static void affine(byte[] src, byte[] dst, int h, int w, double centerX, double centerY, double angleDeg, double tx, double ty,
                       double shearXDeg, double shearYDeg) {
        double rot = Math.toRadians(angleDeg), sx = Math.toRadians(shearXDeg), sy = Math.toRadians(shearYDeg);
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        double m0 = d, m1 = -b, m3 = -c, m4 = a; // the inverse of [[a, b], [c, d]] (its determinant is 1)
        double m2 = m0 * (-centerX - tx) + m1 * (-centerY - ty) + centerX;
        double m5 = m3 * (-centerX - tx) + m4 * (-centerY - ty) + centerY;
        for (int y = 0, o = 0; y < h; y++) {
            double gy = y - h * 0.5 + 0.5;
            for (int x = 0; x < w; x++, o += 3) {
                double gx = x - w * 0.5 + 0.5;
                // back to pixel indices: grid_sample with align_corners=False
                int ix = (int) Math.rint(m0 * gx + m1 * gy + m2 + w * 0.5 - 0.5);
                int iy = (int) Math.rint(m3 * gx + m4 * gy + m5 + h * 0.5 - 0.5);
                if (ix < 0 || iy < 0 || ix >= w || iy >= h) {
                    dst[o] = dst[o + 1] = dst[o + 2] = 0;
                } else {
                    int i = (iy * w + ix) * 3;
                    dst[o] = src[i];
                    dst[o + 1] = src[i + 1];
                    dst[o + 2] = src[i + 2];
                }
            }
        }
    }

    /** ShearX: F.affine(shear=[degrees(atan(m)), 0], center=[0, 0]): input x = x + m y, y from the top edge. */
    static void shearX(byte[] src, byte[] dst, int h, int w, double m) {
        affine(src, dst, h, w, -w * 0.5, -h * 0.5, 0, 0, 0, Math.toDegrees(Math.atan(m)), 0);
    }

    /** ShearY: F.affine(shear=[0, degrees(atan(m))], center=[0, 0]). */
    static void shearY(byte[] src, byte[] dst, int h, int w, double m) {
        affine(src, dst, h, w, -w * 0.5, -h * 0.5, 0, 0, 0, 0, Math.toDegrees(Math.atan(m)));
    }

    /** TranslateX / TranslateY: F.affine(translate=[int(m), 0]) or [0, int(m)]: whole pixels, m truncated. */
    static void translate(byte[] src, byte[] dst, int h, int w, int tx, int ty) {
        affine(src, dst, h, w, 0, 0, 0, tx, ty, 0, 0);
    }

    /** Rotate: F.rotate(img, degrees) about the centre, counter-clockwise (F.rotate passes -angle to the matrix). */
    static void rotate(byte[] src, byte[] dst, int h, int w, double degrees) {
        affine(src, dst, h, w, 0, 0, -degrees, 0, 0, 0, 0);
    }

    /** Brightness: F.adjust_brightness(img, f), a blend with black. */
    static void brightness(byte[] src, byte[] dst, int h, int w, double factor) {
        float f = (float) factor;
        for (int i = 0, n = h * w * 3; i < n; i++) dst[i] = blend(f, src[i] & 0xff, 0f);
    }

    /** Color: F.adjust_saturation(img, f), a blend with the image's grey. */
    static void color(byte[] src, byte[] dst, int h, int w, double factor) {
        float f = (float) factor;
        for (int i = 0, n = h * w * 3; i < n; i += 3) {
            int g = grey(src, i);
            for (int c = 0; c < 3; c++) dst[i + c] = blend(f, src[i + c] & 0xff, g);
        }
    }

    /** Contrast: F.adjust_contrast(img, f), a blend with the mean of the image's grey. */
    static void contrast(byte[] src, byte[] dst, int h, int w, double factor) {
        float f = (float) factor;
        long sum = 0;
        for (int i = 0, n = h * w * 3; i < n; i += 3) sum += grey(src, i);
        float mean = (float) (sum / (double) (h * w));
        for (int i = 0, n = h * w * 3; i < n; i++) dst[i] = blend(f, src[i] & 0xff, mean);
    }

    /**
     * Sharpness: F.adjust_sharpness(img, f), a blend with the image smoothed by [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13
     * (rounded to 8 bits; the one-pixel border keeps its own values, and images of 2 pixels or less are left alone).
     */
    static void sharpness(byte[] src, byte[] dst, int h, int w, double factor) {
        if (h <= 2 || w <= 2) {
            copy(src, dst, h, w);
            return;
        }
        float f = (float) factor;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                boolean border = y == 0 || x == 0 || y == h - 1 || x == w - 1;
                for (int c = 0; c < 3; c++) {
                    int v = src[o + c] & 0xff;
                    float degenerate = v;
                    if (!border) {
                        int s = 4 * v; // the centre weighs 5: once more than the 8 neighbours counted below with it
                        for (int dy = -1; dy <= 1; dy++) {
                            for (int dx = -1; dx <= 1; dx++) s += src[o + ((dy * w + dx) * 3) + c] & 0xff;
                        }
                        degenerate = (float) Math.rint(s / 13f);
                    }
                    dst[o + c] = blend(f, v, degenerate);
                }
            }
        }
    }

    /** Posterize: F.posterize(img, bits), the top {@code bits} bits kept (8: unchanged). */
    static void posterize(byte[] src, byte[] dst, int h, int w, int bits) {
        int mask = -(1 << (8 - bits));
        for (int i = 0, n = h * w * 3; i < n; i++) dst[i] = (byte) (src[i] & mask);
    }

    /**
     * Solarize: F.solarize(img, threshold), every value at or above the threshold inverted. At threshold 255 (magnitude
     * bin 0) pure white still turns black: torchvision's and PIL's behaviour, kept.
     */
    static void solarize(byte[] src, byte[] dst, int h, int w, double threshold) {
        for (int i = 0, n = h * w * 3; i < n; i++) {
            int v = src[i] & 0xff;
            dst[i] = (byte) (v >= threshold ? 255 - v : v);
        }
    }

    /** AutoContrast: F.autocontrast, each channel stretched from its [min, max] to [0, 255] (a flat channel is left alone). */
    static void autoContrast(byte[] src, byte[] dst, int h, int w) {
        int n = h * w * 3;
        for (int c = 0; c < 3; c++) {
            int lo = 255, hi = 0;
            for (int i = c; i < n; i += 3) {
                int v = src[i] & 0xff;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float scale = hi > lo ? 255f / (hi - lo) : 1f;
            int min = hi > lo ? lo : 0;
            for (int i = c; i < n; i += 3) dst[i] = (byte) (int) Math.min(255f, Math.max(0f, ((src[i] & 0xff) - min) * scale));
        }
    }

    /**
     * Equalize: F.equalize (PIL's ImageOps.equalize), per channel: step = (pixels - those of the highest value present)
     * / 255, lut[i] = (pixels below i + step / 2) / step, in whole numbers; a step of 0 leaves the channel alone.
     */
    static void equalize(byte[] src, byte[] dst, int h, int w, int[] hist) {
        int n = h * w * 3;
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(hist, 0, 256, 0);
            for (int i = c; i < n; i += 3) hist[src[i] & 0xff]++;
            int last = 255;
            while (last > 0 && hist[last] == 0) last--;
            int step = (h * w - hist[last]) / 255;
            if (step == 0) {
                for (int i = c; i < n; i += 3) dst[i] = src[i];
                continue;
            }
            // hist becomes the lookup table: lut[i] = (cumulative count below i + step / 2) / step
            int below = step / 2;
            for (int v = 0; v < 256; v++) {
                int count = hist[v];
                hist[v] = Math.min(255, below / step);
                below += count;
            }
            for (int i = c; i < n; i += 3) dst[i] = (byte) hist[src[i] & 0xff];
        }
    }
}
