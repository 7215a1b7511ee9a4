package io.inception4j.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    @Test
    void inlinedSvgKeepsOneDecimalAndStaysWellFormed() throws Exception {
        List<Double> loss = IntStream.range(0, 100).mapToObj(i -> 9.0 / (1 + i * 0.137)).toList();
        String svg = Charts.svg(Charts.lines("loss", "epoch", "loss", List.of(new Charts.Series("train", loss))));
        assertTrue(svg.startsWith("<svg"), svg.substring(0, 40));
        assertFalse(svg.matches("(?s).*\\d\\.\\d\\d.*"), "a number with more than one decimal is left");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
    }

    /** Two epochs' curves: every line inside the plot, not on its border, and ticks that are not raw floats. */
    @Test
    void aShortRunsCurvesFitInsideTheirAxis() throws Exception {
        var accuracy = Charts.lines("validation accuracy", "epoch", "%", List.of(new Charts.Series("top-1", List.of(33.33, 50.0)),
                new Charts.Series("top-5", List.of(100.0, 100.0))));
        assertTrue(accuracy.getStyler().getYAxisMax() > 100 && accuracy.getStyler().getYAxisMin() < 33.33,
                accuracy.getStyler().getYAxisMin() + ".." + accuracy.getStyler().getYAxisMax());
        var loss = Charts.lines("loss", "epoch", "loss", List.of(new Charts.Series("train", List.of(8.870447, 0.00722999))));
        assertEquals(0.0, loss.getStyler().getYAxisMin(), "a loss axis does not go below 0");
        assertEquals("#,##0.###", loss.getStyler().getYAxisDecimalPattern(), "tick labels with at most three decimals");
    }

    @Test
    void theConfusionMatrixDrawsOnlyItsNonEmptyCells() {
        int n = 17;
        List<String> classes = new ArrayList<>();
        int[][] counts = new int[n][n];
        for (int i = 0; i < n; i++) {
            classes.add("class" + i);
            counts[i][i] = 18;
            counts[i][(i + 1) % n] = 2;
        }
        HeatMapChart c = Charts.confusion(classes, counts);
        assertEquals(2 * n, c.getSeriesMap().get("images").getHeatData().size());
        HeatMapChart empty = Charts.confusion(classes, new int[n][n]); // nothing predicted yet: still a chart
        assertEquals(1, empty.getSeriesMap().get("images").getHeatData().size());
    }

    /**
     * A training run stopped by Ctrl-C or SIGTERM finishes its epoch while the JVM shuts down, so its charts are
     * drawn then too. With ImageIO's disk cache the PNG write threw "Shutdown in progress".
     */
    @Test
    void aChartIsWrittenWhileTheJvmShutsDown(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("curve.png");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DrawInShutdownHook.class.getName(), png.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(tmp.resolve("out.txt"));
        assertFalse(out.contains("Exception"), out);
        assertTrue(Files.size(png) > 0, out);
    }

    /** Draws a learning curve to the file named by its argument from a shutdown hook. */
    public static class DrawInShutdownHook {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Charts.lines(Path.of(args[0]), "loss", "epoch", "loss", List.of(new Charts.Series("train", List.of(3.0, 2.0))));
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }));
        }
    }
}
