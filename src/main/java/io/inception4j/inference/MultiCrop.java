package io.inception4j.inference;

import io.inception4j.data.Crops;
import io.inception4j.data.ImageDecoder;
import io.inception4j.data.Preprocessing;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multi-crop inference: each image's crops ({@link Crops}: 1, 10 or 144) go through the network and their
 * softmax probabilities are averaged. Crops of consecutive images share batches of at most {@code batchSize}
 * crops, and each image is decoded (once, at the largest scale its crops need) only while its crops are cut, so
 * memory holds one decoded image and one batch however many images and crops there are; the caller bounds the
 * per-image results by how many files it passes at once.
 */
public final class MultiCrop {
    /**
     * One image's probabilities averaged over its crops, or why it could not be read.
     *
     * @param warning what was wrong with a file that could still be read (see {@link Classifier.Result}), or null
     */
    public record Averaged(Path file, double[] probabilities, String error, String warning) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Preprocessing pre;
    private final int crops, batchSize;
    private final long maxPixels;
    private final boolean allowDamaged;

    /**
     * @param batchSize    crops per network call, at most
     * @param maxPixels    larger images are refused (see {@link ImageDecoder})
     * @param allowDamaged whether a JPEG or PNG cut short is read (predict) or refused (evaluation, as training does)
     */
    public MultiCrop(Preprocessing pre, int crops, int batchSize, long maxPixels, boolean allowDamaged) {
        this.pre = pre;
        this.crops = Crops.check(crops);
        this.batchSize = Math.max(1, batchSize);
        this.maxPixels = maxPixels;
        this.allowDamaged = allowDamaged;
    }

    public int crops() {
        return crops;
    }

    /** The averaged probabilities of each file, in order; an unreadable file gets its error instead. */
    public List<Averaged> run(List<Path> files, Classifier.Network network) {
        int n = files.size(), chw = 3 * pre.height() * pre.width();
        double[][] sums = new double[n][];
        int[] counts = new int[n];
        String[] errors = new String[n], warnings = new String[n];
        Batch batch = new Batch(chw, network, sums, counts);
        for (int i = 0; i < n; i++) {
            Path file = files.get(i);
            ImageDecoder.Decoded d;
            try {
                d = ImageDecoder.decode(file, Crops.decodeSide(crops, pre), maxPixels, allowDamaged);
            } catch (Exception | LinkageError e) {
                String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                String prefix = file + ": ";
                errors[i] = msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
                continue;
            }
            warnings[i] = d.problem();
            try (Crops.Cutter cutter = new Crops.Cutter(d.image(), pre)) {
                for (Crops.Box box : Crops.boxes(crops, pre, cutter.width(), cutter.height())) {
                    cutter.write(box, batch.pixels, batch.filled * chw);
                    batch.owner[batch.filled++] = i;
                    if (batch.filled == batchSize) batch.flush();
                }
            }
        }
        batch.flush();
        List<Averaged> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                out.add(new Averaged(files.get(i), null, errors[i], null));
            } else {
                double[] p = sums[i];
                for (int c = 0; c < p.length; c++) p[c] /= counts[i];
                out.add(new Averaged(files.get(i), p, null, warnings[i]));
            }
        }
        return out;
    }

    /** Crops waiting for the network, and whose image each is. */
    private final class Batch {
        final FloatBuffer pixels;
        final int[] owner = new int[batchSize];
        final int chw;
        final Classifier.Network network;
        final double[][] sums;
        final int[] counts;
        int filled;

        Batch(int chw, Classifier.Network network, double[][] sums, int[] counts) {
            this.chw = chw;
            this.pixels = FloatBuffer.wrap(new float[batchSize * chw]);
            this.network = network;
            this.sums = sums;
            this.counts = counts;
        }

        void flush() {
            if (filled == 0) return;
            float[] data = filled == batchSize ? pixels.array() : Arrays.copyOf(pixels.array(), filled * chw);
            INDArray x = Nd4j.create(data, new long[] {filled, 3, pre.height(), pre.width()}, DataType.FLOAT);
            INDArray out = network.probabilities(x), wide = out.castTo(DataType.DOUBLE);
            double[][] p = wide.toDoubleMatrix();
            // Off-heap arrays, now copied: freed here rather than whenever the collector gets to them.
            if (wide != out && wide.closeable()) wide.close();
            if (out != x && out.closeable()) out.close();
            for (int r = 0; r < filled; r++) {
                int i = owner[r];
                if (sums[i] == null) sums[i] = new double[p[r].length];
                for (int c = 0; c < p[r].length; c++) sums[i][c] += p[r][c];
                counts[i]++;
            }
            if (x.closeable()) x.close();
            filled = 0;
        }
    }
}
