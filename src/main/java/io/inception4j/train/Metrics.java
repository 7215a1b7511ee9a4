package io.inception4j.train;

import io.inception4j.config.BoundedText;
import io.inception4j.files.AtomicFiles;
import io.inception4j.report.Charts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** metrics.csv of a run (one row per epoch) and the learning-curve PNGs drawn from it. */
public final class Metrics {
    static final String HEADER = "epoch,train_loss,val_top1,val_top5,learning_rate,images_per_s,seconds";
    /** A row takes under 60 bytes: some 300,000 epochs. */
    static final long MAX_BYTES = 16L << 20;

    public record Row(int epoch, double trainLoss, double valTop1, double valTop5, double lr, double imagesPerS, double seconds) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%.6f,%.4f,%.4f,%.6g,%.2f,%.1f", epoch, trainLoss, valTop1, valTop5, lr, imagesPerS, seconds);
        }

        static Row parse(String line) {
            String[] f = line.split(",", -1);
            if (f.length != 7) throw new IllegalArgumentException(f.length + " fields");
            return new Row(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
        }
    }

    private final Path file;

    public Metrics(Path file) {
        this.file = file;
    }

    /**
     * Rows recorded so far. Bounded, and strict: a run directory may come from someone else, and a damaged file
     * is one error naming its line, not a NumberFormatException from the middle of a resume.
     */
    public List<Row> read() {
        if (!Files.exists(file)) return List.of();
        return BoundedText.table(file, "a metrics file", MAX_BYTES, HEADER, Row::parse);
    }

    public void truncateAfter(int epoch) throws IOException {
        List<Row> keep = read().stream().filter(r -> r.epoch() <= epoch).toList();
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Row r : keep) sb.append(r.csv()).append('\n');
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Rewrites the whole file (a few kilobytes) rather than appending, so a kill never leaves half a row. */
    public void append(Row r) throws IOException {
        String before = Files.exists(file) ? Files.readString(file) : HEADER + "\n";
        AtomicFiles.writeString(file, before + r.csv() + "\n");
    }

    /** learning-curves-loss.png and learning-curves-accuracy.png beside metrics.csv. */
    public void plot() throws IOException {
        List<Row> rows = read();
        List<Double> loss = new ArrayList<>(), top1 = new ArrayList<>(), top5 = new ArrayList<>();
        for (Row r : rows) {
            loss.add(r.trainLoss());
            top1.add(100 * r.valTop1());
            top5.add(100 * r.valTop5());
        }
        Path dir = file.getParent();
        Charts.lines(dir.resolve("learning-curves-loss.png"), "training loss (main + weighted aux)", "epoch", "loss",
                List.of(new Charts.Series("train loss", loss)));
        Charts.lines(dir.resolve("learning-curves-accuracy.png"), "validation accuracy", "epoch", "%",
                List.of(new Charts.Series("val top-1", top1), new Charts.Series("val top-5", top5)));
    }
}
