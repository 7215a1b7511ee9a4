package io.inception4j.data;

import io.inception4j.files.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The image files a run could not use, each with its reason: found by the scan before training (empty,
 * not an image, truncated, over the pixel limit) or when decoding. They are skipped, counted, logged and
 * written to the run directory's {@code bad-files.txt}; never a crash, never a wrong label.
 */
public final class BadFiles {
    private static final Logger log = LoggerFactory.getLogger(BadFiles.class);

    public record Entry(Sample sample, String reason) {}

    private final java.util.Map<Sample, String> entries = new java.util.LinkedHashMap<>();

    /** Records {@code s} as unusable; returns the reason. */
    public synchronized String add(Sample s, Throwable e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = s.file() + ": ";
        return add(s, reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason);
    }

    public synchronized String add(Sample s, String reason) {
        if (entries.putIfAbsent(s, reason) == null) {
            if (entries.size() <= 5) log.warn("skipping {}: {}", s.file(), reason);
            else if (entries.size() == 6) log.warn("skipping more unreadable images; all are listed in bad-files.txt");
        }
        return reason;
    }

    public synchronized boolean contains(Sample s) {
        return entries.containsKey(s);
    }

    public synchronized List<Entry> entries() {
        return entries.entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue())).toList();
    }

    public synchronized int size() {
        return entries.size();
    }

    /** "path<TAB>reason" lines, sorted by path. */
    public synchronized void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        entries().stream().sorted(Comparator.comparing(e -> e.sample().file().toString()))
                .forEach(e -> sb.append(e.sample().file()).append('\t').append(e.reason()).append('\n'));
        AtomicFiles.writeString(file, sb.toString());
    }
}
