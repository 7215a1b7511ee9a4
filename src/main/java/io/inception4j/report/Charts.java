package io.inception4j.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** Small PNG charts: line charts over epochs, and a confusion-matrix heat map. */
public final class Charts {
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40),
            new Color(44, 160, 44), new Color(255, 127, 14), new Color(148, 103, 189)};

    private Charts() {}

    /** One named series of y values, drawn against x = 1, 2, 3, ... */
    public record Series(String name, List<Double> values) {}

    /** A line chart of {@code series}, written atomically to {@code file}. */
    public static void lines(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        int w = 800, h = 500, left = 70, right = 20, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        double yMin = Double.MAX_VALUE, yMax = -Double.MAX_VALUE;
        int n = 1;
        for (Series s : series) {
            for (Double v : s.values()) {
                if (v == null || v.isNaN()) continue;
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
            n = Math.max(n, s.values().size());
        }
        if (yMin == Double.MAX_VALUE) { yMin = 0; yMax = 1; }
        if (yMax - yMin < 1e-9) { yMax = yMin + 1; }
        double pad = (yMax - yMin) * 0.05;
        yMin -= pad;
        yMax += pad;
        int pw = w - left - right, ph = h - top - bottom;
        g.setColor(Color.LIGHT_GRAY);
        for (int i = 0; i <= 5; i++) {
            int y = top + ph - i * ph / 5;
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", yMin + i * (yMax - yMin) / 5), 5, y + 4);
            g.setColor(Color.LIGHT_GRAY);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString(title, left, 25);
        g.drawString(xLabel, left + pw / 2 - 20, h - 12);
        g.drawString(yLabel, 5, top - 8);
        for (int i = 1; i <= n; i += Math.max(1, n / 10)) {
            int x = left + (n == 1 ? pw / 2 : (i - 1) * pw / (n - 1));
            g.drawString(String.valueOf(i), x - 4, top + ph + 16);
        }
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (int i = 0; i < s.values().size(); i++) {
                Double v = s.values().get(i);
                if (v == null || v.isNaN()) continue;
                int x = left + (n == 1 ? pw / 2 : i * pw / (n - 1));
                int y = top + ph - (int) Math.round((v - yMin) / (yMax - yMin) * ph);
                if (px >= 0) g.drawLine(px, py, x, y);
                else g.fillOval(x - 2, y - 2, 4, 4);
                px = x;
                py = y;
            }
        }
        // Legend in a box at the lower right, where learning curves rarely are.
        int lx = left + pw - 170, ly = top + ph - 12 - 18 * series.size();
        g.setColor(Color.WHITE);
        g.fillRect(lx - 8, ly - 14, 170, 18 * series.size() + 8);
        g.setColor(Color.GRAY);
        g.drawRect(lx - 8, ly - 14, 170, 18 * series.size() + 8);
        for (int k = 0; k < series.size(); k++) {
            g.setColor(PALETTE[k % PALETTE.length]);
            g.fillRect(lx, ly + 18 * k - 8, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(series.get(k).name(), lx + 20, ly + 18 * k);
        }
        write(img, file);
    }

    /** Points (x, y) as dots, x on a log scale if asked; x values that are not numbers are spread evenly by category. */
    public static void scatter(Path file, String title, String xLabel, String yLabel, List<String> xs, List<Double> ys,
                               boolean logX) throws IOException {
        int w = 700, h = 450, left = 70, right = 30, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        boolean numeric = xs.stream().allMatch(x -> x.matches("-?[0-9.eE+-]+"));
        List<String> categories = xs.stream().distinct().sorted().toList();
        double[] xv = new double[xs.size()];
        for (int i = 0; i < xs.size(); i++) {
            xv[i] = numeric ? Double.parseDouble(xs.get(i)) : categories.indexOf(xs.get(i));
            if (numeric && logX) xv[i] = Math.log10(xv[i]);
        }
        double xMin = java.util.Arrays.stream(xv).min().orElse(0), xMax = java.util.Arrays.stream(xv).max().orElse(1);
        if (xMax - xMin < 1e-12) { xMin -= 0.5; xMax += 0.5; }
        double padX = (xMax - xMin) * 0.08;
        xMin -= padX;
        xMax += padX;
        double yMin = ys.stream().filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue).min().orElse(0);
        double yMax = ys.stream().filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(1);
        if (yMax - yMin < 1e-12) { yMin -= 0.5; yMax += 0.5; }
        double padY = (yMax - yMin) * 0.08;
        yMin -= padY;
        yMax += padY;
        int pw = w - left - right, ph = h - top - bottom;
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString(title, left, 25);
        g.drawString(xLabel + (numeric && logX ? " (log scale)" : ""), left + pw / 2 - 40, h - 12);
        g.drawString(yLabel, 5, top - 8);
        for (int i = 0; i <= 4; i++) {
            double yv = yMin + i * (yMax - yMin) / 4;
            g.drawString(String.format(Locale.ROOT, "%.3g", yv), 5, top + ph - i * ph / 4 + 4);
            double xvTick = xMin + i * (xMax - xMin) / 4;
            String label = !numeric ? "" : String.format(Locale.ROOT, "%.3g", logX ? Math.pow(10, xvTick) : xvTick);
            g.drawString(label, left + i * pw / 4 - 12, top + ph + 16);
        }
        if (!numeric) {
            for (int c = 0; c < categories.size(); c++) {
                int x = left + (int) Math.round((c - xMin) / (xMax - xMin) * pw);
                g.drawString(categories.get(c), x - 10, top + ph + 16);
            }
        }
        g.setColor(PALETTE[0]);
        for (int i = 0; i < xs.size(); i++) {
            if (ys.get(i) == null || ys.get(i).isNaN()) continue;
            int x = left + (int) Math.round((xv[i] - xMin) / (xMax - xMin) * pw);
            int y = top + ph - (int) Math.round((ys.get(i) - yMin) / (yMax - yMin) * ph);
            g.fillOval(x - 5, y - 5, 10, 10);
        }
        write(img, file);
    }

    /** A confusion matrix (rows: true class, columns: predicted), darker = more images. */
    public static void confusion(Path file, List<String> classes, int[][] counts) throws IOException {
        int n = classes.size(), cell = Math.max(18, Math.min(40, 600 / Math.max(1, n))), labelW = 110;
        int w = labelW + n * cell + 20, h = labelW + n * cell + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int max = 1;
        for (int[] row : counts) for (int c : row) max = Math.max(max, c);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int r = 0; r < n; r++) {
            g.setColor(Color.BLACK);
            g.drawString(classes.get(r), 4, labelW + r * cell + cell / 2 + 4);
            for (int c = 0; c < n; c++) {
                float f = counts[r][c] / (float) max;
                g.setColor(new Color(1 - f * 0.85f, 1 - f * 0.7f, 1f));
                g.fillRect(labelW + c * cell, labelW + r * cell, cell, cell);
                g.setColor(f > 0.6 ? Color.WHITE : Color.BLACK);
                if (counts[r][c] > 0) g.drawString(String.valueOf(counts[r][c]), labelW + c * cell + 3, labelW + r * cell + cell / 2 + 4);
            }
        }
        Graphics2D rot = (Graphics2D) g.create();
        rot.rotate(-Math.PI / 2);
        rot.setColor(Color.BLACK);
        for (int c = 0; c < n; c++) rot.drawString(classes.get(c), -labelW + 4, labelW + c * cell + cell / 2 + 4);
        rot.dispose();
        write(img, file);
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
