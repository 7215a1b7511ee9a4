package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A dataset ready for training: located (or downloaded), labelled, split, scanned, and served from memory or
 * disk ({@link ImageSource}).
 *
 * <p>Every file's header is scanned first (a few KB each, {@code workers} threads): empty, foreign,
 * truncated and oversized files go to {@link #bad()} before anything is decoded, and the headers' sizes tell
 * {@code data.cache: auto} how much memory the decoded set would take.
 *
 * @param dir    where the images are
 * @param splits the split (all files, including any that turned out unusable)
 * @param images where batches read their images from; {@link ImageSource#mode()} says which
 * @param bad    the files skipped so far, with reasons (grows if a streamed file fails later)
 */
public record Dataset(DataConfig config, Path dir, List<String> classes, Splits splits, ImageSource images, BadFiles bad,
                      String cacheReason) {
    private static final Logger log = LoggerFactory.getLogger(Dataset.class);

    /**
     * @param option   a {@code --data} folder, or null
     * @param side     short side of the decoded images in pixels
     */
    public static Dataset prepare(DataConfig config, Path option, Map<String, String> env, long seed, int side) {
        Path dir = DatasetLocator.locate(config, option, env);
        ImageIndex index = ImageIndex.of(config, dir);
        Splits splits = Splits.of(index, config.split(), seed);
        SampleList all = SampleList.concat(splits.train(), splits.val(), splits.test());
        log.info("{}: {} classes, {} train / {} val / {} test images from {}", config.name(), index.classes().size(),
                splits.train().size(), splits.val().size(), splits.test().size(), dir);

        BadFiles bad = new BadFiles();
        if (all.size() >= COLLECT_EVERY) System.gc(); // the listing's garbage, before the scan makes more (see scan)
        long decodedBytes = scan(all, side, config, bad);
        boolean memory = switch (config.cache()) {
            case MEMORY -> true;
            case NONE -> false;
            case AUTO -> decodedBytes <= budget();
        };
        String reason = String.format(Locale.ROOT, "data.cache %s: the decoded images need about %,d MB, %s %,d MB (a quarter of "
                        + "the native memory limit): %s", config.cache().name().toLowerCase(Locale.ROOT), decodedBytes >> 20,
                decodedBytes <= budget() ? "within" : "over", budget() >> 20, memory ? "decoding once into memory" : "streaming from disk");
        log.info(reason);
        ImageSource images = memory
                ? MemoryImages.decode(BatchIterator.usable(all, bad), side, config.maxPixels(), config.workers(), bad)
                : new StreamedImages(side, config.maxPixels());
        // Listing and checking a large set makes garbage in proportion to it (a million files: every path and
        // header once), some of it long-lived enough to reach the old generation, where it kept the heap, and so
        // the process, at about twice the 1,000-file size for the rest of the run (results/data/README.md). One
        // full collection here, once per run, leaves the heap the size of what the run holds.
        System.gc();
        return new Dataset(config, dir, index.classes(), splits, images, bad, reason);
    }

    static final int COLLECT_EVERY = 50_000;

    /** Reads every header; returns the estimated bytes of all usable images decoded at {@code side}. */
    static long scan(List<Sample> samples, int side, DataConfig config, BadFiles bad) {
        AtomicLong bytes = new AtomicLong();
        AtomicInteger checked = new AtomicInteger();
        Workers.forEach(samples, config.workers(), "checking images", s -> {
            // Checking a file makes about a kilobyte of short-lived objects (its path, its channel), and at a
            // million files G1 answered the rate by growing its heap to ten times what the run holds (the peak
            // of the whole run, results/data/README.md). A collection every COLLECT_EVERY files keeps the heap
            // at what is live, for about 60 ms each.
            if (checked.incrementAndGet() % COLLECT_EVERY == 0) System.gc();
            try {
                ImageHeader h = ImageHeader.read(s.file());
                if (h.damaged()) {
                    bad.add(s, h.problem());
                } else if (h.pixels() > config.maxPixels()) {
                    bad.add(s, String.format(Locale.ROOT, "%d x %d pixels (%,d) is over the limit of %,d pixels (data.max_pixels)",
                            h.width(), h.height(), h.pixels(), config.maxPixels()));
                } else {
                    double shortSide = Math.min(h.width(), h.height()), longSide = Math.max(h.width(), h.height());
                    long decoded = h.pixels() > 0 ? Math.round(side * (side * longSide / shortSide)) * 3 : (long) side * side * 4;
                    bytes.addAndGet(decoded);
                }
            } catch (IOException | RuntimeException e) {
                bad.add(s, e);
            }
        });
        return bytes.get();
    }

    /** A quarter of the native memory JavaCPP may use (by default as much as the heap limit, -Xmx). */
    static long budget() {
        long max = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Runtime.getRuntime().maxMemory();
        return max / 4;
    }

    /** Batches of one split; {@code training} turns on shuffling and augmentation. */
    public BatchIterator batches(List<Sample> split, int height, int width, int batchSize, int outputs,
                                 boolean training, double labelSmoothing, long seed) {
        return new BatchIterator(split, images, bad, config, height, width, classes.size(), batchSize, outputs, training,
                labelSmoothing, seed, config.workers());
    }

    /** Batches per epoch over {@code split}, as an iterator from {@link #batches} yields them (see BatchIterator). */
    public int batchesPerEpoch(List<Sample> split, int batchSize) {
        return BatchIterator.batchesPerEpoch(split, bad, batchSize);
    }

    /** Writes the skipped files and why (bad-files.txt) into {@code runDir}, when there are any. */
    public void writeBadFiles(Path runDir) throws IOException {
        if (bad.size() > 0) bad.write(runDir.resolve("bad-files.txt"));
    }
}
