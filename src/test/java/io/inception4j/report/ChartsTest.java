package io.inception4j.report;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
}
