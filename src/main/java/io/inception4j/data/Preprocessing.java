package io.inception4j.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;

/**
 * Evaluation-time preprocessing, shared by validation, test, export and inference so that a deployed model
 * sees exactly what it was validated on: decode (3-channel BGR, 8-bit), shrink the short side to
 * max(height, width) x resize_ratio, take the centre crop, resize to the input, scale to [-1, 1]. The
 * pixel-to-array conversion ({@link #toChw}) is the one training batches use too.
 *
 * @param resizeRatio short side before cropping = input x this (1.14: the usual 224 of 256)
 */
public record Preprocessing(int height, int width, double resizeRatio) {

    /** The cached short side for this input size. */
    public int cacheSide() {
        return (int) Math.round(Math.max(height, width) * resizeRatio);
    }

    /** A [1, 3, height, width] array in [-1, 1] for one image file. */
    public INDArray file(File f) throws IOException {
        return prepare(f.toPath()).pixels();
    }

    /** An image ready for the network, and the damage its file showed (null when sound: see {@link ImageHeader}). */
    public record Prepared(INDArray pixels, String problem) {}

    /** The same, keeping what was wrong with a damaged but decodable file (e.g. a JPEG cut short). */
    public Prepared prepare(java.nio.file.Path f) throws IOException {
        ImageDecoder.Decoded d = ImageDecoder.decode(f, cacheSide(), ImageDecoder.DEFAULT_MAX_PIXELS, true);
        return new Prepared(decoded(d.image()), d.problem());
    }

    /**
     * The same for an image in memory (an upload), with its own pixel limit; {@code name} stands for the file in
     * messages. Gives the very array {@link #prepare(java.nio.file.Path)} gives for the file with these bytes.
     */
    public Prepared prepare(byte[] image, String name, long maxPixels) throws IOException {
        ImageDecoder.Decoded d = ImageDecoder.decode(image, name, cacheSide(), maxPixels, true);
        return new Prepared(decoded(d.image()), d.problem());
    }

    /** The same for an image already decoded and shrunk to {@link #cacheSide()}. */
    public INDArray decoded(Mat cached) {
        Mat crop = new Augmenter(null, height, width).eval(cached, resizeRatio);
        float[] chw = new float[3 * height * width];
        toChw(crop, chw, 1, 1);
        return Nd4j.create(chw, new long[] {1, 3, height, width}, DataType.FLOAT);
    }

    /**
     * Converts an 8-bit BGR image (height x width x 3, interleaved) to planar CHW floats in [-1, 1], keeping
     * DataVec's BGR channel order, after an optional photometric distortion (brightness and contrast
     * factors; 1, 1 for none): {@code v' = clamp(v * b * c + mean * b * (1 - c), 0, 255)}, mean over the image.
     */
    public static void toChw(Mat bgr, float[] out, double brightness, double contrast) {
        toChw(bgr, java.nio.FloatBuffer.wrap(out), 0, brightness, contrast);
    }

    /**
     * The same, written into {@code out} from {@code offset}: the streaming pipeline writes each image straight
     * into its batch's native array. The image's bytes pass through a buffer each thread keeps, so an image
     * leaves no garbage behind (a new byte and float array per image made about 750 KB of it at 224 px, and
     * the collector's pace, not the batch, then set the heap's size).
     */
    public static void toChw(Mat bgr, java.nio.FloatBuffer out, int offset, double brightness, double contrast) {
        toChw(pixels(bgr), bgr.rows(), bgr.cols(), out, offset, brightness, contrast);
    }

    /**
     * The 8-bit pixels of a BGR image, interleaved (height x width x 3), in this thread's buffer: valid until the
     * thread's next call. Training images pass through it to RandAugment ({@link RandAugment}) on their way to
     * {@link #toChw(byte[], int, int, java.nio.FloatBuffer, int, double, double)}.
     */
    static byte[] pixels(Mat bgr) {
        int n = bgr.rows() * bgr.cols() * 3;
        Mat m = bgr.isContinuous() ? bgr : bgr.clone();
        byte[] px = scratch(n);
        m.data().get(px, 0, n);
        if (m != bgr) m.close();
        return px;
    }

    /** The same from the h x w image's interleaved pixels {@code px}. */
    static void toChw(byte[] px, int h, int w, java.nio.FloatBuffer out, int offset, double brightness, double contrast) {
        int hw = h * w;
        boolean distort = brightness != 1 || contrast != 1;
        double gain = brightness * contrast, offsetValue = 0;
        if (distort) {
            long sum = 0;
            for (int i = 0; i < hw * 3; i++) sum += px[i] & 0xff;
            offsetValue = (sum / (double) (hw * 3)) * brightness * (1 - contrast);
        }
        for (int p = 0, i = 0; p < hw; p++) {
            for (int c = 0; c < 3; c++, i++) {
                float v = px[i] & 0xff;
                if (distort) v = (float) Math.min(255, Math.max(0, v * gain + offsetValue));
                out.put(offset + c * hw + p, (float) (v / 127.5 - 1.0));
            }
        }
    }

    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][0]);

    /** This thread's pixel buffer, at least {@code n} bytes. */
    private static byte[] scratch(int n) {
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < n) holder[0] = new byte[n];
        return holder[0];
    }
}
