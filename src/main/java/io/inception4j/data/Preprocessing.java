package io.inception4j.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;

/**
 * Evaluation-time preprocessing, shared by validation, test, export and inference so that a deployed model
 * sees exactly what it was validated on: decode (3-channel BGR, 8-bit), shrink the short side to
 * max(height, width) x resize_ratio, take the centre crop, resize to the input, scale to [-1, 1].
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
        return decoded(ImageCache.decodeFile(f, cacheSide()));
    }

    /** The same for an image already decoded and shrunk to {@link #cacheSide()}. */
    public INDArray decoded(Mat cached) throws IOException {
        Mat crop = new Augmenter(null, height, width).eval(cached, resizeRatio);
        return scale(new NativeImageLoader(height, width, 3).asMatrix(crop));
    }

    /** 0..255 to [-1, 1], in place. */
    public static INDArray scale(INDArray pixels) {
        return pixels.divi(127.5).subi(1.0);
    }
}
