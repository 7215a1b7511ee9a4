package io.inception4j.data;

import io.inception4j.config.DataConfig;

import java.nio.FloatBuffer;
import java.util.Random;

/**
 * Random erasing (Zhong et al. 2020) as torchvision's {@code RandomErasing(p, scale, ratio, value)} and timm's
 * {@code RandomErasing(probability, mode, max_count=1)} do it, on one image's normalised CHW floats: with
 * probability p, up to 10 tries to fit a rectangle of area ~ U(area) x the image's and aspect ratio (height /
 * width) ~ exp(U(log aspect)), sides {@code round(sqrt(area x ratio))} and {@code round(sqrt(area / ratio))},
 * strictly smaller than the image's; its top-left corner uniform over the places it fits. The rectangle is
 * filled with standard normal values per pixel and channel (pixel), per channel (rand) or with 0 (const).
 */
final class RandomErasing {
    private final DataConfig.RandomErasing config;
    private final double logMin, logMax;

    RandomErasing(DataConfig.RandomErasing config) {
        this.config = config;
        this.logMin = Math.log(config.aspect().get(0));
        this.logMax = Math.log(config.aspect().get(1));
    }

    /** The erasing the config asks for, or null when it is off. */
    static RandomErasing of(DataConfig.Augment a) {
        return a == null || a.randomErasing() == null || a.randomErasing().p() <= 0 ? null : new RandomErasing(a.randomErasing());
    }

    /** The rectangle {top, left, height, width} to erase from an h x w image, or null: none this time. */
    int[] box(int h, int w, Random rnd) {
        if (!(rnd.nextDouble() < config.p())) return null;
        double lo = config.area().get(0), hi = config.area().get(1);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = (double) h * w * (lo + rnd.nextDouble() * (hi - lo));
            double ratio = Math.exp(logMin + rnd.nextDouble() * (logMax - logMin));
            int eh = (int) Math.rint(Math.sqrt(target * ratio)), ew = (int) Math.rint(Math.sqrt(target / ratio));
            if (!(eh < h && ew < w)) continue;
            return new int[] {rnd.nextInt(h - eh + 1), rnd.nextInt(w - ew + 1), eh, ew};
        }
        return null;
    }

    /** Erases (or not) the h x w CHW image at {@code offset} in {@code out}. */
    void apply(FloatBuffer out, int offset, int h, int w, Random rnd) {
        int[] b = box(h, w, rnd);
        if (b == null) return;
        for (int c = 0; c < 3; c++) {
            float channelValue = config.mode() == DataConfig.RandomErasing.Mode.RAND ? (float) rnd.nextGaussian() : 0f;
            for (int y = b[0]; y < b[0] + b[2]; y++) {
                int row = offset + c * h * w + y * w;
                for (int x = b[1]; x < b[1] + b[3]; x++) {
                    out.put(row + x, config.mode() == DataConfig.RandomErasing.Mode.PIXEL ? (float) rnd.nextGaussian() : channelValue);
                }
            }
        }
    }
}
