package io.inception4j.spark;

import io.inception4j.config.Binder;
import io.inception4j.config.DataConfig;
import io.inception4j.config.YamlDocument;
import io.inception4j.data.BadFiles;
import io.inception4j.data.BatchIterator;
import io.inception4j.data.StreamedImages;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Runs on the executors: turns a batch list ({@link BatchLists}) into a training batch by reading, decoding
 * and augmenting its images through the same streaming pipeline as a local run ({@link BatchIterator} over
 * {@link StreamedImages}). Serialised to every executor with the settings it needs; the data config travels
 * as its resolved YAML text. Augmentation draws from the seed, the epoch and the batch's index, so a batch
 * is the same wherever it is assembled.
 */
final class ImageBatchLoader implements MultiDataSetLoader {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ImageBatchLoader.class);

    private final String dataYaml;
    private final int height, width, classes, outputs, side;
    private final double labelSmoothing;
    private final long seed, maxPixels;
    private transient DataConfig data;

    ImageBatchLoader(String dataYaml, int height, int width, int classes, int outputs, int side, double labelSmoothing,
                     long seed, long maxPixels) {
        this.dataYaml = dataYaml;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.outputs = outputs;
        this.side = side;
        this.labelSmoothing = labelSmoothing;
        this.seed = seed;
        this.maxPixels = maxPixels;
    }

    @Override
    public MultiDataSet load(Source source) throws IOException {
        BatchLists.Batch b;
        try (var in = source.getInputStream()) {
            b = BatchLists.read(in, source.getPath());
        }
        if (data == null) data = Binder.bind(YamlDocument.parse("data.yaml (from the driver)", dataYaml), DataConfig.class);
        BadFiles bad = new BadFiles();
        BatchIterator it = new BatchIterator(b.samples(), new StreamedImages(side, maxPixels), bad, data, height, width,
                classes, b.samples().size(), outputs, true, labelSmoothing, seed * 1_000_033L + b.index(), 1);
        it.setEpoch(b.epoch());
        MultiDataSet batch = it.next();
        for (BadFiles.Entry e : bad.entries()) log.warn("skipped {}: {}", e.sample().file(), e.reason());
        return batch;
    }
}
