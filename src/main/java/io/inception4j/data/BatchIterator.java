package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Batches of one split for a graph with {@code outputs} classifier heads (the labels repeated for each).
 * Training batches are augmented and shuffled; the order and every random choice derive from the seed and
 * the epoch, so an epoch can be replayed exactly (resume) and skipped into ({@link #skip}). Pixels are
 * scaled to [-1, 1], channels in BGR order (DataVec's). Wrap in DL4J's AsyncMultiDataSetIterator to prefetch.
 */
public final class BatchIterator implements MultiDataSetIterator {
    private final List<Sample> samples;
    private final ImageCache cache;
    private final Augmenter augmenter;
    private final boolean training;
    private final int classes, batchSize, outputs, height, width;
    private final double labelSmoothing, resizeRatio;
    private final long seed;
    private final NativeImageLoader toArray;

    private List<Integer> order;
    private int epoch, cursor;

    public BatchIterator(List<Sample> samples, ImageCache cache, DataConfig data, int height, int width, int classes,
                         int batchSize, int outputs, boolean training, double labelSmoothing, long seed) {
        this.samples = samples.stream().filter(cache::has).toList();
        this.cache = cache;
        this.augmenter = new Augmenter(data.augment(), height, width);
        this.training = training;
        this.classes = classes;
        this.batchSize = batchSize;
        this.outputs = outputs;
        this.height = height;
        this.width = width;
        this.labelSmoothing = labelSmoothing;
        this.resizeRatio = data.resizeRatio();
        this.seed = seed;
        this.toArray = new NativeImageLoader(height, width, 3);
        setEpoch(0);
    }

    /** Prepares the order of {@code epoch} (shuffled by seed and epoch when training) and rewinds. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) idx.add(i);
        if (training) Collections.shuffle(idx, new Random(seed * 1_000_003L + epoch));
        this.order = idx;
        this.cursor = 0;
    }

    /** Skips the first {@code batches} batches of the current epoch (to resume mid-epoch). */
    public void skip(int batches) {
        cursor = Math.min(order.size(), batches * batchSize);
    }


    public int batchesPerEpoch() {
        return (samples.size() + batchSize - 1) / batchSize;
    }


    @Override
    public boolean hasNext() {
        return cursor < order.size();
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        int n = Math.min(num, order.size() - cursor);
        INDArray x = Nd4j.create(DataType.FLOAT, n, 3, height, width);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            int pos = cursor + i;
            Sample s = samples.get(order.get(pos));
            Random rnd = new Random(seed * 7_919L + epoch * 1_000_003L + pos);
            Mat img = training ? augmenter.train(cache.get(s), rnd) : augmenter.eval(cache.get(s), resizeRatio);
            INDArray one;
            try {
                one = toArray.asMatrix(img).get(NDArrayIndex.point(0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (training) augmenter.distortColour(one, rnd);
            x.get(NDArrayIndex.point(i)).assign(one);
            y.putScalar(i, s.label(), 1.0);
        }
        cursor += n;
        Preprocessing.scale(x);
        if (labelSmoothing > 0) y.muli(1 - labelSmoothing).addi(labelSmoothing / classes);
        INDArray[] labels = new INDArray[outputs];
        for (int o = 0; o < outputs; o++) labels[o] = y;
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, labels);
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("normalisation is built in");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        cursor = 0;
    }
}
