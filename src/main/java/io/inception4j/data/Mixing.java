package io.inception4j.data;

import io.inception4j.config.DataConfig;

import java.nio.FloatBuffer;
import java.util.Random;

/**
 * Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) over a whole batch, as timm's {@code Mixup} does them in
 * its default mode, "batch" ({@code timm/data/mixup.py}): one lambda per batch; image i is mixed with image
 * n-1-i (the batch reversed, timm's {@code x.flip(0)}), its label likewise. Per batch, as
 * {@code Mixup._params_per_batch}: with probability {@code mix_prob} the batch is mixed; if both are on, CutMix
 * with probability {@code switch_prob}, else mixup; lambda ~ Beta(alpha, alpha) of the chosen one.
 * Mixup: x = lambda x + (1 - lambda) x_partner. CutMix ({@code rand_bbox}, {@code cutmix_bbox_and_lam} with
 * correct_lam): cut = (int(h sqrt(1 - lambda)), int(w sqrt(1 - lambda))), centre uniform over the image, the box
 * centre +- cut // 2 clipped to the image, the partner's pixels pasted there, and lambda then set to 1 - box area
 * / image area. Labels: lambda y + (1 - lambda) y_partner, one-hot before label smoothing (smoothing is linear,
 * so this equals timm's mix of smoothed targets). torchvision's reference scripts differ only in the partner
 * (the batch rolled by one) and in always mixing one of the two.
 *
 * <p>In an odd batch the middle image is its own partner and stays as it was.
 */
final class Mixing {
    private final double mixupAlpha, cutmixAlpha, mixProb, switchProb;

    private Mixing(DataConfig.Augment a) {
        this.mixupAlpha = a.mixupAlpha();
        this.cutmixAlpha = a.cutmixAlpha();
        this.mixProb = a.mixProb();
        this.switchProb = a.switchProb();
    }

    /** The mixing the config asks for, or null when neither mixup nor CutMix is on. */
    static Mixing of(DataConfig.Augment a) {
        return a == null || !a.mixes() ? null : new Mixing(a);
    }

    /**
     * One batch's mixing: {@code lambda} (1: not mixed) and, for CutMix, the pasted box rows [y0, y1) and
     * columns [x0, x1).
     */
    record Draw(double lambda, boolean cutmix, int y0, int y1, int x0, int x1) {
        static final Draw NONE = new Draw(1, false, 0, 0, 0, 0);
    }

    /** The draws for one batch of h x w images, in timm's order. */
    Draw draw(int h, int w, Random rnd) {
        if (!(rnd.nextDouble() < mixProb)) return Draw.NONE;
        boolean cutmix;
        double lambda;
        if (mixupAlpha > 0 && cutmixAlpha > 0) {
            cutmix = rnd.nextDouble() < switchProb;
            lambda = beta(cutmix ? cutmixAlpha : mixupAlpha, rnd);
        } else if (mixupAlpha > 0) {
            cutmix = false;
            lambda = beta(mixupAlpha, rnd);
        } else {
            cutmix = true;
            lambda = beta(cutmixAlpha, rnd);
        }
        if (!cutmix) return new Draw(lambda, false, 0, 0, 0, 0);
        double ratio = Math.sqrt(1 - lambda);
        int cutH = (int) (h * ratio), cutW = (int) (w * ratio);
        int cy = rnd.nextInt(h), cx = rnd.nextInt(w);
        int y0 = clip(cy - cutH / 2, h), y1 = clip(cy + cutH / 2, h), x0 = clip(cx - cutW / 2, w), x1 = clip(cx + cutW / 2, w);
        double corrected = 1 - (y1 - y0) * (double) (x1 - x0) / ((double) h * w);
        return new Draw(corrected, true, y0, y1, x0, x1);
    }

    private static int clip(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /**
     * Mixes the first {@code n} CHW images (3 x h x w each) of {@code x} in place, every image with its partner's
     * pixels as they were before the mixing.
     */
    static void mixImages(Draw d, FloatBuffer x, int n, int h, int w) {
        if (d.lambda() >= 1) return;
        int size = 3 * h * w;
        float lam = (float) d.lambda(), rest = (float) (1 - d.lambda());
        for (int i = 0; i < n / 2; i++) {
            int a = i * size, b = (n - 1 - i) * size;
            if (d.cutmix()) { // the two partners swap the box
                for (int c = 0; c < 3; c++) {
                    for (int y = d.y0(); y < d.y1(); y++) {
                        int row = c * h * w + y * w;
                        for (int xx = d.x0(); xx < d.x1(); xx++) {
                            float t = x.get(a + row + xx);
                            x.put(a + row + xx, x.get(b + row + xx));
                            x.put(b + row + xx, t);
                        }
                    }
                }
            } else {
                for (int k = 0; k < size; k++) {
                    float p = x.get(a + k), q = x.get(b + k);
                    x.put(a + k, p * lam + q * rest);
                    x.put(b + k, q * lam + p * rest);
                }
            }
        }
    }

    /** Image i's partner in a batch of n: the batch reversed. */
    static int partner(int i, int n) {
        return n - 1 - i;
    }

    /**
     * A sample of Beta(alpha, alpha) as X / (X + Y) with X, Y ~ Gamma(alpha, 1) (Marsaglia and Tsang's method; for
     * alpha below 1, Gamma(alpha + 1) x U^(1/alpha)), in logarithms so that small alphas (0.1, 0.2) cannot underflow.
     */
    static double beta(double alpha, Random rnd) {
        double lx = logGamma(alpha, rnd), ly = logGamma(alpha, rnd);
        return 1 / (1 + Math.exp(ly - lx));
    }

    /** log of a Gamma(shape, 1) sample. */
    static double logGamma(double shape, Random rnd) {
        if (shape < 1) {
            double u = rnd.nextDouble();
            while (u == 0) u = rnd.nextDouble();
            return logGamma(shape + 1, rnd) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rnd.nextGaussian(), v = 1 + c * z;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rnd.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return Math.log(d * v);
        }
    }
}
