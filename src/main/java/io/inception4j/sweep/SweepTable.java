package io.inception4j.sweep;

import io.inception4j.config.BoundedText;
import io.inception4j.files.AtomicFiles;
import io.inception4j.report.Html;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** candidates.csv: one row per candidate (values, score, epochs, time, status, reason, run), rewritten atomically. */
final class SweepTable {
    enum Status { COMPLETED, FAILED, INTERRUPTED }

    record Row(int index, Map<String, String> values, Status status, Double score, int epochs, double seconds,
               String reason, String run) {}

    private final Path file;
    private final List<String> paths;
    private final Map<Integer, Row> rows = new LinkedHashMap<>();

    SweepTable(Path file, List<String> paths) throws IOException {
        this.file = file;
        this.paths = paths;
        if (!Files.exists(file)) return;
        // Read on every resumed sweep: bounded, and a damaged row is one error naming its line.
        for (Row row : BoundedText.table(file, "a sweep's table", MAX_BYTES, header(), line -> parse(Html.csvFields(line)))) {
            rows.put(row.index(), row);
        }
    }

    /** A row takes a few hundred bytes (values, reason, run path): some million candidates. */
    private static final long MAX_BYTES = 256L << 20;

    private String header() {
        return "candidate," + String.join(",", paths) + ",score,epochs,status,seconds,reason,run";
    }

    private Row parse(List<String> f) {
        int k = 1 + paths.size();
        if (f.size() != k + 6) throw new IllegalArgumentException(f.size() + " fields");
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) values.put(paths.get(i), f.get(1 + i));
        return new Row(Integer.parseInt(f.get(0)), values, Status.valueOf(f.get(k + 2).toUpperCase(Locale.ROOT)),
                f.get(k).isEmpty() ? null : Double.parseDouble(f.get(k)), Integer.parseInt(f.get(k + 1)),
                Double.parseDouble(f.get(k + 3)), f.get(k + 4), f.get(k + 5));
    }

    Row get(int index) {
        return rows.get(index);
    }

    List<Row> rows() {
        return List.copyOf(rows.values());
    }

    synchronized void put(Row r) throws IOException {
        rows.put(r.index(), r);
        StringBuilder sb = new StringBuilder(header()).append('\n');
        for (Row x : rows.values()) {
            List<String> f = new ArrayList<>();
            f.add(String.valueOf(x.index()));
            for (String p : paths) f.add(x.values().get(p));
            f.add(x.score() == null ? "" : String.format(Locale.ROOT, "%.4f", x.score()));
            f.add(String.valueOf(x.epochs()));
            f.add(x.status().name().toLowerCase(Locale.ROOT));
            f.add(String.format(Locale.ROOT, "%.1f", x.seconds()));
            f.add(x.reason());
            f.add(x.run());
            sb.append(String.join(",", f.stream().map(SweepTable::quote).toList())).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String quote(String s) {
        if (s == null) return "";
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"" : s;
    }
}
