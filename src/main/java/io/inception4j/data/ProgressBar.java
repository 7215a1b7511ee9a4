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
    private int lastDecile = -1;
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

    /** Shows {@code done} of the total; a count below one already shown (a worker that lost the race to report) is ignored. */
    public synchronized void update(long done, String extra) {
        if (done < shown) return;
        shown = done;
        double f = Math.min(1.0, done / (double) total);
        int width = 30, filled = (int) Math.round(f * width);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %d/%d %s", label, "#".repeat(filled),
                ".".repeat(width - filled), 100 * f, done, total, extra == null ? "" : extra);
        if (terminal) {
            out.print("\r" + line);
            if (done >= total) out.println();
        } else {
            int decile = (int) (f * 10);
            if (decile != lastDecile) {
                out.println(line);
                lastDecile = decile;
            }
        }
        out.flush();
    }
}
