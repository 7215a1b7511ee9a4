package io.inception4j.data;

import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * data.cache: memory. Every image decoded once, with {@code threads} threads, and kept for all epochs: right
 * for a set that fits in memory (17-flowers at 146 px: about 80 MB). Decoding is the slow part of the
 * pipeline; augmentation then works on these small copies.
 */
public final class MemoryImages implements ImageSource {
    private final Map<Sample, Mat> images = new ConcurrentHashMap<>();
    private final Map<Sample, String> failed = new ConcurrentHashMap<>();
    private final int side;

    private MemoryImages(int side) {
        this.side = side;
    }

    /** Decodes {@code samples}, showing a progress bar; failures are recorded in {@code bad}. */
    public static MemoryImages decode(List<Sample> samples, int side, long maxPixels, int threads, BadFiles bad) {
        MemoryImages m = new MemoryImages(side);
        Workers.forEach(samples, threads, "decoding images", s -> {
            try {
                m.images.put(s, ImageDecoder.decode(s.file(), side, maxPixels, false).image());
            } catch (IOException | RuntimeException | LinkageError e) {
                m.failed.put(s, bad.add(s, e));
            }
        });
        return m;
    }

    @Override
    public Mat get(Sample s) throws IOException {
        Mat m = images.get(s);
        if (m == null) throw new ImageDecoder.ImageException(s.file(), failed.getOrDefault(s, "not decoded"));
        return m;
    }

    @Override
    public int side() {
        return side;
    }

    @Override
    public String mode() {
        return "memory";
    }
}
