package io.inception4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run directory's {@code index.html}: one self-contained page (inline CSS and SVG, no server, no internet)
 * with the learning curves, the test results with per-class accuracy and confusion matrix, timings, the
 * resolved configs and the provenance. Built from the files the run writes, so it can be rebuilt for any
 * run directory; training refreshes it after every epoch and at the end.
 */
public final class RunPage {
    public static final String FILE = "index.html";

    private RunPage() {}

    public static Path write(Path runDir) throws IOException {
        StringBuilder b = new StringBuilder();
        JsonNode prov = json(runDir.resolve("provenance.json"));
        String name = runDir.getFileName().toString();
        b.append("<h1>").append(Html.escape(name)).append("</h1>\n<p class=\"sub\">")
                .append(Html.escape(prov == null ? "" : prov.path("experiment").asText() + " \u00b7 started "
                        + prov.path("started").asText() + " \u00b7 code " + prov.path("code_version").asText()))
                .append("</p>\n");

        List<Map<String, Double>> epochs = metrics(runDir.resolve("metrics.csv"));
        JsonNode test = json(runDir.resolve("test-metrics.json"));
        b.append("<div class=\"cards\">");
        if (test != null) {
            card(b, "test top-1", pct(test.path("top1").asDouble()), test.path("images").asInt() + " images");
            card(b, "test top-5", pct(test.path("top5").asDouble()), "");
        }
        if (!epochs.isEmpty()) {
            Map<String, Double> last = epochs.get(epochs.size() - 1);
            double best = epochs.stream().mapToDouble(e -> e.getOrDefault("val_top1", Double.NaN)).max().orElse(Double.NaN);
            card(b, "best val top-1", pct(best), "");
            card(b, "epochs", String.valueOf(last.get("epoch").intValue()), "");
            double secs = epochs.stream().mapToDouble(e -> e.getOrDefault("seconds", 0.0)).sum();
            card(b, "training time", String.format(Locale.ROOT, "%.1f min", secs / 60), String.format(Locale.ROOT,
                    "%.1f images/s last epoch", last.getOrDefault("images_per_s", Double.NaN)));
        }
        if (test == null) card(b, "status", epochs.isEmpty() ? "starting" : "training or stopped", "no test report yet");
        b.append("</div>\n");

        if (!epochs.isEmpty()) {
            b.append("<h2>Learning curves</h2>\n");
            b.append(Charts.svg(Charts.lines("training loss (main + weighted auxiliary)", "epoch", "loss",
                    List.of(new Charts.Series("train loss", column(epochs, "train_loss", 1))))));
            b.append(Charts.svg(Charts.lines("validation accuracy", "epoch", "%", List.of(
                    new Charts.Series("val top-1", column(epochs, "val_top1", 100)),
                    new Charts.Series("val top-5", column(epochs, "val_top5", 100))))));
            b.append(Charts.svg(Charts.lines("learning rate", "epoch", "learning rate",
                    List.of(new Charts.Series("learning rate", column(epochs, "learning_rate", 1))))));
        }
        Path perClass = runDir.resolve("test-per-class.csv"), confusion = runDir.resolve("test-confusion.csv");
        if (Files.exists(perClass) && Files.exists(confusion)) {
            b.append("<h2>Test results</h2>\n<table><tr><th class=\"l\">class</th><th>accuracy</th><th>images</th></tr>\n");
            List<List<String>> rows = Html.csv(perClass);
            for (List<String> r : rows.subList(1, rows.size())) {
                b.append("<tr><td class=\"l\">").append(Html.escape(r.get(0))).append("</td><td>")
                        .append(pct(Html.number(r.get(1)))).append("</td><td>").append(Html.escape(r.get(2))).append("</td></tr>\n");
            }
            b.append("</table>\n");
            List<List<String>> cm = Html.csv(confusion);
            List<String> classes = cm.get(0).subList(1, cm.get(0).size());
            int[][] counts = new int[classes.size()][classes.size()];
            for (int i = 0; i < classes.size() && i + 1 < cm.size(); i++) {
                for (int j = 0; j < classes.size(); j++) counts[i][j] = (int) Html.number(cm.get(i + 1).get(j + 1));
            }
            b.append(Charts.svg(Charts.confusion(classes, counts)));
        }
        if (!epochs.isEmpty()) {
            b.append("<h2>Epochs</h2>\n<details><summary>").append(epochs.size()).append(" epochs</summary><table><tr>");
            for (String h : List.of("epoch", "train loss", "val top-1", "val top-5", "learning rate", "images/s", "seconds")) {
                b.append("<th>").append(h).append("</th>");
            }
            b.append("</tr>\n");
            for (Map<String, Double> e : epochs) {
                b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%s</td><td>%s</td><td>%.4g</td><td>%.1f</td><td>%.1f</td></tr>%n",
                        e.get("epoch").intValue(), e.get("train_loss"), pct(e.get("val_top1")), pct(e.get("val_top5")),
                        e.get("learning_rate"), e.get("images_per_s"), e.get("seconds")));
            }
            b.append("</table></details>\n");
        }
        Path bad = runDir.resolve("bad-files.txt");
        if (Files.exists(bad)) {
            List<String> lines = Files.readAllLines(bad);
            b.append("<h2>Skipped images</h2>\n<p class=\"bad\">").append(lines.size())
                    .append(" image file(s) could not be used (bad-files.txt):</p><pre>")
                    .append(Html.escape(String.join("\n", lines.subList(0, Math.min(50, lines.size()))))).append("</pre>\n");
        }
        b.append("<h2>Configuration</h2>\n");
        for (String f : List.of("model.yaml", "data.yaml", "train.yaml")) {
            Path p = runDir.resolve(f);
            if (!Files.exists(p)) continue;
            b.append("<details><summary>").append(f).append(" (resolved)</summary><pre>")
                    .append(Html.escape(Files.readString(p))).append("</pre></details>\n");
        }
        if (prov != null) {
            b.append("<h2>Provenance</h2>\n<table>");
            prov.fields().forEachRemaining(e -> b.append("<tr><th class=\"l\">").append(Html.escape(e.getKey()))
                    .append("</th><td class=\"l\">").append(Html.escape(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()))
                    .append("</td></tr>\n"));
            b.append("</table>\n");
        }
        if (Files.exists(runDir.resolve("ui-stats.bin"))) {
            b.append("<p>Live statistics were recorded: <code>scripts/inception4j ui ").append(Html.escape(runDir.toString()))
                    .append("</code> shows them in DL4J's training UI.</p>\n");
        }
        Path out = runDir.resolve(FILE);
        AtomicFiles.writeString(out, Html.page(name, b.toString())); // a browser refreshing mid-write never sees half a page
        return out;
    }

    private static void card(StringBuilder b, String label, String value, String note) {
        b.append("<div class=\"card\"><div>").append(Html.escape(label)).append("</div><div class=\"big\">")
                .append(Html.escape(value)).append("</div><div class=\"sub\">").append(Html.escape(note)).append("</div></div>");
    }

    static String pct(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    /** metrics.csv as one map per epoch, by column name. */
    static List<Map<String, Double>> metrics(Path file) throws IOException {
        List<Map<String, Double>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<List<String>> rows = Html.csv(file);
        if (rows.isEmpty()) return out;
        List<String> header = rows.get(0);
        for (List<String> r : rows.subList(1, rows.size())) {
            Map<String, Double> m = new HashMap<>();
            for (int i = 0; i < header.size() && i < r.size(); i++) m.put(header.get(i), Html.number(r.get(i)));
            out.add(m);
        }
        return out;
    }

    private static List<Double> column(List<Map<String, Double>> rows, String key, double scale) {
        return rows.stream().map(r -> r.getOrDefault(key, Double.NaN) * scale).toList();
    }

    private static JsonNode json(Path file) throws IOException {
        return Files.exists(file) ? new ObjectMapper().readTree(file.toFile()) : null;
    }
}
