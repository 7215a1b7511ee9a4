package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dataset ready for training: located (or downloaded), labelled, split by seed, decoded into the cache.
 *
 * @param dir    where the images are
 * @param splits the seeded, stratified split (all files, including any that failed to decode)
 * @param cache  decoded images; {@link ImageCache#skipped()} lists the unreadable ones
 */
public record Dataset(DataConfig config, Path dir, List<String> classes, Splits splits, ImageCache cache) {
    private static final Logger log = LoggerFactory.getLogger(Dataset.class);

    /**
     * @param option   a {@code --data} folder, or null
     * @param cacheSide short side of the cached images in pixels
     */
    public static Dataset prepare(DataConfig config, Path option, Map<String, String> env, long seed, int cacheSide) {
        Path dir = DatasetLocator.locate(config, option, env);
        ImageIndex index = ImageIndex.of(config, dir);
        Splits splits = Splits.of(index, config.split(), seed);
        List<Sample> all = new ArrayList<>(splits.train());
        all.addAll(splits.val());
        all.addAll(splits.test());
        log.info("{}: {} classes, {} train / {} val / {} test images from {}", config.name(), index.classes().size(),
                splits.train().size(), splits.val().size(), splits.test().size(), dir);
        ImageCache cache = ImageCache.decode(all, cacheSide, Runtime.getRuntime().availableProcessors());
        return new Dataset(config, dir, index.classes(), splits, cache);
    }

    /** Batches of one split; {@code training} turns on shuffling and augmentation. */
    public BatchIterator batches(List<Sample> split, int height, int width, int batchSize, int outputs,
                                 boolean training, double labelSmoothing, long seed) {
        return new BatchIterator(split, cache, config, height, width, classes.size(), batchSize, outputs, training,
                labelSmoothing, seed);
    }
}
