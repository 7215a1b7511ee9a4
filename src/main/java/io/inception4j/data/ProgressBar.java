package io.inception4j.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line text progress bar on stderr: "label [#####.....] 52% 340/680 extra". Redraws in place on a
 * terminal; when output goes to a file it prints a line every 10% instead, so logs stay readable.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private int lastDecile = -1, lastPermille = -1;
    private String lastExtra;
    private long shown = -1;

    public ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = System.console() != null;
    }

    public static ProgressBar stderr(String label, long total) {
        return new ProgressBar(System.err, label, total);
    }

    /**
     * Shows {@code done} of the total; a count below one already shown (a worker that lost the race to report) is ignored.
     * The line is only made when what it shows changes (a tenth of a percent, or {@code extra}): checking a
     * million files' headers once formatted a million lines, a gigabyte of garbage for a bar that moves a thousand times.
     */
    public synchronized void update(long done, String extra) {
        if (done < shown) return;
        shown = done;
        double f = Math.min(1.0, done / (double) total);
        int permille = (int) (f * 1000);
        String text = extra == null ? "" : extra;
        if (terminal) {
            if (permille == lastPermille && text.equals(lastExtra) && done < total) return;
            lastPermille = permille;
            lastExtra = text;
            out.print("\r" + line(f, done, text));
            if (done >= total) out.println();
        } else {
            int decile = (int) (f * 10);
            if (decile == lastDecile) return;
            lastDecile = decile;
            out.println(line(f, done, text));
        }
        out.flush();
    }

    private String line(double f, long done, String extra) {
        int width = 30, filled = (int) Math.round(f * width);
        return String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %d/%d %s", label, "#".repeat(filled),
                ".".repeat(width - filled), 100 * f, done, total, extra);
    }
}
