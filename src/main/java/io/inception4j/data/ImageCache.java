package io.inception4j.data;

import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.loader.NativeImageLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Every image decoded once (DataVec's NativeImageLoader: JPEG/PNG/..., grayscale and 4-channel included),
 * converted to 3-channel BGR, and shrunk so its short side is {@code side} px, then kept in memory for all
 * epochs. Decoding is the slow part of the pipeline; augmentation then works on these small copies.
 * Images that cannot be decoded are skipped with a warning and counted, never a crash.
 */
public final class ImageCache {
    private static final Logger log = LoggerFactory.getLogger(ImageCache.class);

    private final Map<Sample, Mat> images = new ConcurrentHashMap<>();
    private final List<Sample> skipped = new ArrayList<>();
    private final int side;

    private ImageCache(int side) {
        this.side = side;
    }

    /** Decodes {@code samples} with {@code threads} threads, showing a progress bar. */
    public static ImageCache decode(List<Sample> samples, int side, int threads) {
        ImageCache cache = new ImageCache(side);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        ProgressBar bar = ProgressBar.stderr("decoding images", samples.size());
        AtomicInteger done = new AtomicInteger();
        for (Sample s : samples) {
            pool.submit(() -> {
                Mat m = cache.load(s);
                if (m != null) cache.images.put(s, m);
                else synchronized (cache.skipped) {
                    cache.skipped.add(s);
                }
                bar.update(done.incrementAndGet(), "");
            });
        }
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.DAYS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        }
        if (!cache.skipped.isEmpty()) {
            log.warn("skipped {} unreadable image(s): {}", cache.skipped.size(),
                    cache.skipped.stream().limit(5).map(x -> x.file().toString()).toList());
        }
        return cache;
    }

    private Mat load(Sample s) {
        try {
            return decodeFile(s.file().toFile(), side);
        } catch (Exception | LinkageError e) {
            log.warn("cannot decode {}: {}", s.file(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return null;
        }
    }

    /** Decodes one image file to 3-channel BGR with its short side resized to {@code side} (0: no resize). */
    public static Mat decodeFile(java.io.File file, int side) throws java.io.IOException {
        NativeImageLoader loader = new NativeImageLoader();
        Mat m = new OpenCVFrameConverter.ToMat().convert(loader.asWritable(file).getFrame());
        if (m == null || m.empty() || m.rows() < 1 || m.cols() < 1) throw new java.io.IOException("empty image");
        if (m.depth() != org.bytedeco.opencv.global.opencv_core.CV_8U) { // 16-bit PNG/TIFF: to 8 bits
            Mat eight = new Mat();
            m.convertTo(eight, org.bytedeco.opencv.global.opencv_core.CV_8U, m.depth() == org.bytedeco.opencv.global.opencv_core.CV_16U ? 1 / 257.0 : 1.0, 0);
            m = eight;
        }
        Mat bgr = new Mat();
        switch (m.channels()) {
            case 1 -> cvtColor(m, bgr, COLOR_GRAY2BGR);
            case 3 -> bgr = m.clone();
            case 4 -> cvtColor(m, bgr, COLOR_BGRA2BGR);
            default -> throw new java.io.IOException(m.channels() + " channels");
        }
        if (side <= 0) return bgr;
        double scale = side / (double) Math.min(bgr.rows(), bgr.cols());
        Mat out = new Mat();
        resize(bgr, out, new Size((int) Math.max(1, Math.round(bgr.cols() * scale)),
                (int) Math.max(1, Math.round(bgr.rows() * scale))), 0, 0, INTER_AREA);
        return out;
    }

    public Mat get(Sample s) {
        return images.get(s);
    }

    public boolean has(Sample s) {
        return images.containsKey(s);
    }

    /** The samples that could not be decoded. */
    public List<Sample> skipped() {
        return List.copyOf(skipped);
    }

}
