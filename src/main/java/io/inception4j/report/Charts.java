package io.inception4j.report;

import io.inception4j.files.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * The project's charts, drawn with XChart: learning curves over epochs, a score against a swept value, and
 * confusion matrices. Each chart is built once and rendered as a PNG file (for the run directory) or as SVG
 * text (inlined into the self-contained run and sweep pages), so both always show the same thing.
 */
public final class Charts {
    /** A number's digits after its first decimal (base64 image data has no '.', so it is never touched). */
    private static final java.util.regex.Pattern EXCESS_DECIMALS = java.util.regex.Pattern.compile("(\\d\\.\\d)\\d+");
    private Charts() {}

    static {
        // ImageIO's default disk cache registers a JVM shutdown hook for every stream, which throws "Shutdown in
        // progress" once Ctrl-C or SIGTERM has started the shutdown that a training run finishes its epoch in.
        // Charts of a few hundred KB need no disk cache.
        ImageIO.setUseCache(false);
    }

    /** One named series of y values, drawn against x = 1, 2, 3, ... (NaN: no point). */
    public record Series(String name, List<Double> values) {}

    public static XYChart lines(String title, String xLabel, String yLabel, List<Series> series) {
        XYChart c = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE); // never over a line
        for (Series s : series) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (int i = 0; i < s.values().size(); i++) {
                Double v = s.values().get(i);
                if (v != null && !v.isNaN()) {
                    x.add((double) i + 1);
                    y.add(v);
                }
            }
            if (x.isEmpty()) continue;
            XYSeries line = c.addSeries(s.name(), x, y);
            line.setMarker(x.size() > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        padValueAxis(c.getStyler(), series);
        return c;
    }

    /**
     * XChart fits the value axis to the data exactly: two points got two ticks at their raw values (".00722999",
     * "8.870447"), and a line at the maximum (top-5 at 100%) ran along the plot's border. The range is padded by a
     * twentieth of the span on each side (never below 0 for values that are not), and labels get at most three
     * decimals.
     */
    private static void padValueAxis(org.knowm.xchart.style.XYStyler styler, List<Series> series) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Double v : s.values()) {
                if (v == null || v.isNaN() || v.isInfinite()) continue;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) return;
        double pad = (max > min ? max - min : Math.max(Math.abs(max), 1)) / 20;
        styler.setYAxisMin(min >= 0 ? Math.max(0, min - pad) : min - pad);
        styler.setYAxisMax(max + pad);
        styler.setYAxisDecimalPattern("#,##0.###");
    }

    public static void lines(Path png, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        png(lines(title, xLabel, yLabel, series), png);
    }

    /** Points (x, y); x on a log scale if asked; x values that are not numbers become evenly spaced categories. */
    public static XYChart scatter(String title, String xLabel, String yLabel, List<String> xs, List<Double> ys, boolean logX) {
        boolean numeric = xs.stream().allMatch(x -> x.matches("-?[0-9.eE+-]+"));
        List<String> categories = xs.stream().distinct().sorted().toList();
        XYChart c = new XYChartBuilder().width(700).height(450).title(title)
                .xAxisTitle(numeric ? xLabel : xLabel + " (" + String.join(", ", categories) + " at 1.." + categories.size() + ")")
                .yAxisTitle(yLabel).build();
        style(c.getStyler());
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setXAxisLogarithmic(numeric && logX);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setMarkerSize(10);
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (ys.get(i) == null || ys.get(i).isNaN()) continue;
            x.add(numeric ? Double.parseDouble(xs.get(i)) : categories.indexOf(xs.get(i)) + 1.0);
            y.add(ys.get(i));
        }
        if (!x.isEmpty()) c.addSeries("candidates", x, y);
        return c;
    }

    public static void scatter(Path png, String title, String xLabel, String yLabel, List<String> xs, List<Double> ys,
                               boolean logX) throws IOException {
        png(scatter(title, xLabel, yLabel, xs, ys, logX), png);
    }

    /** A confusion matrix: rows are the true class, columns the predicted one, darker is more images. */
    public static HeatMapChart confusion(List<String> classes, int[][] counts) {
        int n = classes.size(), side = Math.max(400, Math.min(900, 160 + 34 * n));
        HeatMapChart c = new HeatMapChartBuilder().width(side + 120).height(side).title("confusion matrix")
                .xAxisTitle("predicted").yAxisTitle("true").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotContentSize(1);
        c.getStyler().setShowValue(n <= 30);
        c.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        c.getStyler().setXAxisLabelRotation(60);
        // Empty cells are left out, unlabelled: the few mistakes stand out, and each drawn "0" cost the inlined
        // SVG about 1 KB of glyph outlines (XChart draws text as shapes).
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) for (int p = 0; p < n; p++) if (counts[r][p] != 0) cells.add(new Number[] {p, n - 1 - r, counts[r][p]});
        if (cells.isEmpty()) cells.add(new Number[] {0, n - 1, 0});
        List<String> reversed = new ArrayList<>(classes);
        java.util.Collections.reverse(reversed);
        c.addSeries("images", classes, reversed, cells);
        return c;
    }

    public static void confusion(Path png, List<String> classes, int[][] counts) throws IOException {
        png(confusion(classes, counts), png);
    }

    /** Writes {@code chart} as a PNG, atomically (the run page may be read while training writes it). */
    public static void png(Chart<?, ?> chart, Path file) throws IOException {
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * The chart as SVG markup, to inline into a page. Coordinates are cut to a tenth of a pixel: the encoder
     * writes up to 13 digits (48.11767578125) for every point of every glyph, which made a run page 2.2 MB.
     */
    public static String svg(Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        String s = out.toString(StandardCharsets.UTF_8);
        int start = s.indexOf("<svg");
        s = start < 0 ? s : s.substring(start); // drop the XML prologue and doctype
        return EXCESS_DECIMALS.matcher(s).replaceAll("$1");
    }


    private static void style(org.knowm.xchart.style.XYStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.GRAY);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setSeriesColors(new Color[] {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
                new Color(255, 127, 14), new Color(148, 103, 189)});
    }
}
