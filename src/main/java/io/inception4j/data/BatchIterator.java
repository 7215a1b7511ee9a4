package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Batches of one split for a graph with {@code outputs} classifier heads (the labels repeated for each).
 * Training batches are augmented and shuffled; the order and every random choice derive from the seed, the
 * epoch and the position in the epoch, so an epoch can be replayed exactly (resume), skipped into
 * ({@link #skip}), and assembled by any number of threads with the same result. Each batch's images are read
 * (from memory or disk: {@link ImageSource}), cropped, flipped and converted by {@code workers} threads;
 * wrap the iterator in DL4J's AsyncMultiDataSetIterator to keep a bounded number of batches ready ahead of
 * the trainer. Pixels are scaled to [-1, 1], channels in BGR order (DataVec's).
 *
 * <p>A training image goes through, in the order of torchvision's and timm's reference pipelines: random crop
 * and flip ({@link Augmenter}), RandAugment or TrivialAugment ({@link RandAugment}), the photometric distortion
 * and the conversion to [-1, 1] ({@link Preprocessing}), random erasing ({@link RandomErasing}); then the batch
 * is mixed (mixup or CutMix, {@link Mixing}) and its labels become the mixed probabilities, the same array for
 * every head. The crop and flip draw from a Random seeded by (seed, epoch, position) as they always did; each
 * later augmentation from its own stream of the same three ({@link Seeds}), the mixing from (seed, epoch, the
 * batch's first position). Evaluation batches are never augmented or mixed.
 *
 * <p>An image that fails to load is dropped from its batch (which is one image shorter), recorded in the
 * dataset's {@link BadFiles}, and dropped again in later epochs; both cache modes do the same, so their
 * batches stay identical.
 */
public final class BatchIterator implements MultiDataSetIterator {
    /**
     * The thread assembling a batch was interrupted: the consumer has stopped (Ctrl-C, the end of a run) and
     * shut the prefetching down. Its own type so that the command line can tell it from a real failure.
     */
    public static final class Interrupted extends IllegalStateException {
        public Interrupted(InterruptedException cause) {
            super("interrupted while assembling a batch", cause);
        }
    }

    /** Shared by all iterators; idle threads end after a minute. Each batch uses at most {@code workers}. */
    private static final ExecutorService POOL = Executors.newCachedThreadPool(Workers.daemon("inception4j-batch"));

    private final List<Sample> samples;
    private final ImageSource images;
    private final BadFiles bad;
    private final Augmenter augmenter;
    private final RandAugment randAugment;
    private final RandomErasing erasing;
    private final Mixing mixing;
    private final boolean training;
    private final int classes, batchSize, outputs, height, width, workers;
    private final double labelSmoothing, resizeRatio;
    private final long seed;

    private int[] order;
    private int epoch, cursor;

    public BatchIterator(List<Sample> samples, ImageSource images, BadFiles bad, DataConfig data, int height, int width,
                         int classes, int batchSize, int outputs, boolean training, double labelSmoothing, long seed,
                         int workers) {
        this.samples = usable(samples, bad);
        this.images = images;
        this.bad = bad;
        this.augmenter = new Augmenter(data.augment(), height, width);
        this.randAugment = training ? RandAugment.of(data.augment()) : null;
        this.erasing = training ? RandomErasing.of(data.augment()) : null;
        this.mixing = training ? Mixing.of(data.augment()) : null;
        this.training = training;
        this.classes = classes;
        this.batchSize = batchSize;
        this.outputs = outputs;
        this.height = height;
        this.width = width;
        this.labelSmoothing = labelSmoothing;
        this.resizeRatio = data.resizeRatio();
        this.seed = seed;
        this.workers = Math.max(1, workers);
        setEpoch(0);
    }

    /** Prepares the order of {@code epoch} (shuffled by seed and epoch when training) and rewinds. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        int[] idx = new int[samples.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        if (training) shuffle(idx, new Random(seed * 1_000_003L + epoch));
        this.order = idx;
        this.cursor = 0;
    }

    /** Skips the first {@code batches} batches of the current epoch (to resume mid-epoch). */
    public void skip(int batches) {
        cursor = Math.min(order.length, batches * batchSize);
    }

    /**
     * The samples of each batch still to come in this epoch, in order, without reading an image: for training
     * on other machines, where each worker assembles its own batches from the file names.
     */
    public List<List<Sample>> remainingBatches() {
        List<List<Sample>> batches = new ArrayList<>();
        for (int from = cursor; from < order.length; from += batchSize) {
            List<Sample> b = new ArrayList<>();
            for (int i = from; i < Math.min(order.length, from + batchSize); i++) b.add(samples.get(order[i]));
            batches.add(b);
        }
        return batches;
    }

    public int batchesPerEpoch() {
        return ceilDiv(samples.size(), batchSize);
    }

    /**
     * The batches an epoch over {@code samples} has, the files already known to be unusable left out: what an
     * iterator over them yields, and so what a learning-rate schedule must count as an epoch.
     */
    public static int batchesPerEpoch(List<Sample> samples, BadFiles bad, int batchSize) {
        return ceilDiv(usable(samples, bad).size(), batchSize);
    }

    /** {@code samples} without the files known to be unusable; a compact list stays compact (a view). */
    static List<Sample> usable(List<Sample> samples, BadFiles bad) {
        if (bad.size() == 0) return samples;
        if (samples instanceof SampleList l) {
            return l.select(java.util.stream.IntStream.range(0, l.size()).filter(i -> !bad.contains(l.get(i))).toArray());
        }
        return samples.stream().filter(s -> !bad.contains(s)).toList();
    }

    /**
     * Collections.shuffle's own steps on an int array (so every seed gives the order it always gave, and a run
     * resumes exactly), without boxing: a million Integers were 20 MB of heap for the order alone.
     */
    static void shuffle(int[] a, Random rnd) {
        for (int i = a.length; i > 1; i--) {
            int j = rnd.nextInt(i), t = a[i - 1];
            a[i - 1] = a[j];
            a[j] = t;
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The images this iterator draws from (the split minus the files known to be unusable). */
    public int size() {
        return samples.size();
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        int n = Math.min(num, order.length - cursor);
        int start = cursor;
        cursor += n;
        int size = 3 * height * width;
        // Each worker writes its images straight into the batch's native array: no per-image Java array, no copy.
        INDArray all = Nd4j.create(DataType.FLOAT, n, 3, height, width);
        FloatBuffer buf = all.data().asNioFloat();
        boolean[] used = new boolean[n];
        // Contiguous chunks of the batch, one per worker; each image's randomness comes from its position.
        int chunk = (n + workers - 1) / workers;
        List<Future<?>> tasks = new ArrayList<>();
        for (int from = 0; from < n; from += chunk) {
            int lo = from, hi = Math.min(n, from + chunk);
            tasks.add(POOL.submit(() -> {
                for (int i = lo; i < hi; i++) used[i] = image(start + i, buf, i * size);
            }));
        }
        Throwable failed = null;
        for (Future<?> t : tasks) { // every task is waited for: the others still write into the array
            try {
                t.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Interrupted(e); // the array is left to the collector: workers may still write into it
            } catch (ExecutionException e) {
                if (failed == null) failed = e.getCause();
            }
        }
        if (failed != null) {
            all.close();
            throw new IllegalStateException("assembling a batch failed: " + failed, failed);
        }
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < n; i++) if (used[i]) ok.add(i);
        int m = Math.max(1, ok.size()); // a batch whose images all failed keeps one blank row, masked out below
        INDArray x = all;
        if (ok.size() < n) { // images that could not be used leave their rows out (rare: a damaged file)
            x = Nd4j.zeros(DataType.FLOAT, m, 3, height, width);
            FloatBuffer to = x.data().asNioFloat();
            for (int j = 0; j < ok.size(); j++) to.put(j * size, buf, ok.get(j) * size, size);
            all.close();
        }
        Mixing.Draw mix = mixing == null || ok.isEmpty() ? Mixing.Draw.NONE
                : mixing.draw(height, width, new Random(Seeds.of(seed, epoch, start, Seeds.MIXING)));
        Mixing.mixImages(mix, x.data().asNioFloat(), ok.size(), height, width);
        INDArray y = Nd4j.zeros(DataType.FLOAT, m, classes);
        for (int j = 0; j < ok.size(); j++) y.putScalar(j, samples.get(order[start + ok.get(j)]).label(), mix.lambda());
        if (mix.lambda() < 1) { // the partner's share: soft labels, each row summing to 1
            for (int j = 0; j < ok.size(); j++) {
                int label = samples.get(order[start + ok.get(Mixing.partner(j, ok.size()))]).label();
                y.putScalar(j, label, y.getDouble(j, label) + (1 - mix.lambda()));
            }
        }
        if (labelSmoothing > 0) y.muli(1 - labelSmoothing).addi(labelSmoothing / classes);
        INDArray[] labels = new INDArray[outputs];
        for (int o = 0; o < outputs; o++) labels[o] = y;
        if (!ok.isEmpty()) return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, labels);
        // DL4J's label mask: the blank row contributes neither loss nor gradient.
        INDArray[] masks = new INDArray[outputs];
        for (int o = 0; o < outputs; o++) masks[o] = Nd4j.zeros(DataType.FLOAT, 1, 1);
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, labels, null, masks);
    }

    /**
     * Frees a consumed batch's native arrays now (each once: the outputs share one label array), instead of when
     * a garbage collection finds their small Java handles: a batch of 32 images at 224 px is 19 MB, and with a
     * large, lightly used heap dozens of them waited for the collector. Only for batches nothing still reads.
     */
    public static void release(MultiDataSet batch) {
        java.util.Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray[] group : java.util.Arrays.asList(batch.getFeatures(), batch.getLabels(), batch.getFeaturesMaskArrays(),
                batch.getLabelsMaskArrays())) {
            if (group == null) continue;
            for (INDArray a : group) if (a != null && seen.add(a) && a.closeable()) a.close();
        }
    }

    /** The CHW pixels of the image at epoch position {@code pos}, or null if it cannot be used. */
    float[] image(int pos) {
        float[] out = new float[3 * height * width];
        return image(pos, FloatBuffer.wrap(out), 0) ? out : null;
    }

    /** Writes the CHW pixels of the image at epoch position {@code pos} into {@code out} from {@code offset}; false if it cannot be used. */
    boolean image(int pos, FloatBuffer out, int offset) {
        Sample s = samples.get(order[pos]);
        if (bad.contains(s)) return false;
        Random rnd = new Random(seed * 7_919L + epoch * 1_000_003L + pos);
        // Every Mat and buffer made here (the decoded file, crops, flips, resizes) is freed when the image is
        // in the batch, not when a garbage collection gets round to it: the pipeline's native memory then
        // depends on the batch and the workers, not on the heap's size or the collector's pace. A Mat from
        // the memory cache was made outside the scope and stays.
        try (PointerScope scope = new PointerScope()) {
            Mat source;
            try {
                source = images.get(s);
            } catch (IOException | RuntimeException | LinkageError e) {
                bad.add(s, e);
                return false;
            }
            Mat img = training ? augmenter.train(source, rnd) : augmenter.eval(source, resizeRatio);
            double[] colour = training ? augmenter.colourFactors(rnd) : new double[] {1, 1};
            byte[] px = Preprocessing.pixels(img);
            if (randAugment != null) px = randAugment.apply(px, height, width, Seeds.random(Seeds.of(seed, epoch, pos, Seeds.RAND_AUGMENT)));
            Preprocessing.toChw(px, height, width, out, offset, colour[0], colour[1]);
            if (erasing != null) erasing.apply(out, offset, height, width, Seeds.random(Seeds.of(seed, epoch, pos, Seeds.ERASING)));
            return true;
        }
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
