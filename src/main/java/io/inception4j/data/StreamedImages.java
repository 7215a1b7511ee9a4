package io.inception4j.data;

import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;

/**
 * data.cache: none. Each image is read and decoded when a batch needs it, by the batch's worker threads;
 * nothing stays in memory between batches, so memory does not grow with the dataset (ImageNet: 1.28 M
 * files). JPEGs much larger than needed decode at reduced scale ({@link ImageDecoder}).
 */
public final class StreamedImages implements ImageSource {
    private final int side;
    private final long maxPixels;

    public StreamedImages(int side, long maxPixels) {
        this.side = side;
        this.maxPixels = maxPixels;
    }

    @Override
    public Mat get(Sample s) throws IOException {
        return ImageDecoder.decode(s.file(), side, maxPixels, false).image();
    }

    @Override
    public int side() {
        return side;
    }

    @Override
    public String mode() {
        return "none";
    }
}
