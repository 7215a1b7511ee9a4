package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Crops for training and evaluation, on OpenCV Mats as DataVec decodes them. DataVec's own transforms have
 * no scale-and-aspect random crop (the GoogLeNet paper's "Inception crop"), so it is written here; flips
 * use OpenCV directly to keep one Random per image (and so runs reproducible by seed).
 */
public final class Augmenter {
    private final DataConfig.Augment augment;
    private final int height, width;

    public Augmenter(DataConfig.Augment augment, int height, int width) {
        this.augment = augment;
        this.height = height;
        this.width = width;
    }

    /** Random crop covering crop_area of the image with aspect ratio in aspect, resized; random flip. */
    public Mat train(Mat img, Random rnd) {
        Rect r = randomCrop(img.cols(), img.rows(), rnd);
        Mat out = resized(new Mat(img, r));
        if (augment.flip() && rnd.nextBoolean()) {
            Mat flipped = new Mat();
            flip(out, flipped, 1);
            out = flipped;
        }
        return out;
    }

    /** The centre crop with the input's aspect ratio covering 1/resize_ratio of the short side, resized. */
    public Mat eval(Mat img, double resizeRatio) {
        double scale = Math.min(img.cols() / (double) width, img.rows() / (double) height) / resizeRatio;
        int cw = Math.max(1, (int) Math.round(width * scale)), ch = Math.max(1, (int) Math.round(height * scale));
        Rect r = new Rect((img.cols() - cw) / 2, (img.rows() - ch) / 2, cw, ch);
        return resized(new Mat(img, r));
    }

    Rect randomCrop(int w, int h, Random rnd) {
        double area = (double) w * h;
        double logMin = Math.log(augment.aspect().get(0)), logMax = Math.log(augment.aspect().get(1));
        double aMin = augment.cropArea().get(0), aMax = augment.cropArea().get(1);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (aMin + rnd.nextDouble() * (aMax - aMin));
            double aspect = Math.exp(logMin + rnd.nextDouble() * (logMax - logMin));
            int cw = (int) Math.round(Math.sqrt(target * aspect));
            int ch = (int) Math.round(Math.sqrt(target / aspect));
            if (cw >= 1 && ch >= 1 && cw <= w && ch <= h) {
                return new Rect(rnd.nextInt(w - cw + 1), rnd.nextInt(h - ch + 1), cw, ch);
            }
        }
        int s = Math.min(w, h); // fall back to the central square
        return new Rect((w - s) / 2, (h - s) / 2, s, s);
    }

    private Mat resized(Mat crop) {
        Mat out = new Mat();
        boolean shrinking = crop.cols() > width || crop.rows() > height;
        resize(crop, out, new Size(width, height), 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
        return out;
    }

    /**
     * Brightness and contrast factors for the photometric distortion, each 1 +- up to {@code color}
     * (1, 1 when it is off: then nothing is drawn from {@code rnd}); applied by {@link Preprocessing#toChw}.
     */
    public double[] colourFactors(Random rnd) {
        double c = augment.color();
        if (c <= 0) return new double[] {1, 1};
        double brightness = 1 + (rnd.nextDouble() * 2 - 1) * c;
        double contrast = 1 + (rnd.nextDouble() * 2 - 1) * c;
        return new double[] {brightness, contrast};
    }
}
