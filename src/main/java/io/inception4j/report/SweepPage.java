package io.inception4j.report;

import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep directory's {@code index.html}: the trials ranked by score, each linked to its run's page, with the
 * score plotted against every swept value. Self-contained like {@link RunPage}.
 */
public final class SweepPage {
    private SweepPage() {}

    /** One trial of the sweep. */
    public record Trial(int index, Map<String, String> values, Double score, int epochs, double seconds, String status,
                        String reason, Path run) {}

    /**
     * @param minimize whether a lower score is better (training loss) rather than higher (accuracy)
     * @param logPaths the swept paths drawn on a log scale
     */
    public static Path write(Path sweepDir, String name, String scoreName, boolean minimize, List<String> paths,
                             List<String> logPaths, List<Trial> trials) throws IOException {
        List<Trial> ranked = new ArrayList<>(trials);
        Comparator<Trial> byScore = Comparator.comparing(t -> t.score() == null ? Double.NaN : t.score());
        ranked.sort((a, b) -> {
            if (a.score() == null || b.score() == null) return a.score() == null ? (b.score() == null ? 0 : 1) : -1;
            return minimize ? byScore.compare(a, b) : byScore.compare(b, a);
        });
        StringBuilder b = new StringBuilder("<h1>Sweep ").append(Html.escape(name)).append("</h1>\n<p class=\"sub\">")
                .append(trials.size()).append(" trials, ranked by ").append(Html.escape(scoreName))
                .append(minimize ? " (lower is better)" : " (higher is better)").append("</p>\n");
        b.append("<table><tr><th>rank</th><th>trial</th>");
        for (String p : paths) b.append("<th>").append(Html.escape(p)).append("</th>");
        b.append("<th>").append(Html.escape(scoreName)).append("</th><th>epochs</th><th>minutes</th><th class=\"l\">status</th><th class=\"l\">run</th></tr>\n");
        int rank = 0;
        for (Trial t : ranked) {
            b.append("<tr><td>").append(t.score() == null ? "-" : String.valueOf(++rank)).append("</td><td>").append(t.index()).append("</td>");
            for (String p : paths) b.append("<td>").append(Html.escape(t.values().get(p))).append("</td>");
            b.append("<td>").append(t.score() == null ? "-" : String.format(Locale.ROOT, "%.4f", t.score())).append("</td><td>")
                    .append(t.epochs()).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", t.seconds() / 60)).append("</td><td class=\"l\">")
                    .append(Html.escape(t.status() + (t.reason() == null || t.reason().isBlank() ? "" : ": " + t.reason()))).append("</td><td class=\"l\">");
            if (t.run() != null && Files.isDirectory(t.run())) {
                String link = sweepDir.toAbsolutePath().normalize().relativize(t.run().toAbsolutePath().normalize().resolve(RunPage.FILE)).toString();
                b.append("<a href=\"").append(Html.escape(link)).append("\">").append(Html.escape(t.run().getFileName().toString())).append("</a>");
            }
            b.append("</td></tr>\n");
        }
        b.append("</table>\n");
        for (String p : paths) {
            List<Trial> scored = trials.stream().filter(t -> t.score() != null).toList();
            if (scored.isEmpty()) continue;
            b.append(Charts.svg(Charts.scatter(scoreName + " against " + p, p, scoreName,
                    scored.stream().map(t -> t.values().get(p)).toList(), scored.stream().map(Trial::score).toList(),
                    logPaths.contains(p))));
        }
        Path sweepYaml = sweepDir.resolve("sweep.yaml");
        if (Files.exists(sweepYaml)) {
            b.append("<h2>Sweep</h2><pre>").append(Html.escape(Files.readString(sweepYaml))).append("</pre>\n");
        }
        Path out = sweepDir.resolve(RunPage.FILE);
        AtomicFiles.writeString(out, Html.page("sweep " + name, b.toString()));
        return out;
    }
}
