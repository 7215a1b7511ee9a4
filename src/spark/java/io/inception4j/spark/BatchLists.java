package io.inception4j.spark;

import io.inception4j.data.Sample;
import io.inception4j.files.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One epoch's batches as small text files, one per batch, that the executors load instead of serialised
 * tensors: a header line {@code # epoch E batch B} and then {@code label<TAB>path} per image. A batch of 32
 * is about 3 KB however large the images are.
 */
final class BatchLists {
    /** A batch as an executor reads it back. */
    record Batch(int epoch, int index, List<Sample> samples) {}

    private static final String HEADER = "# epoch %d batch %d";
    /** Lists come from our own driver, but a list that is not one must not make an executor read for ever. */
    private static final int MAX_LINES = 1 << 16;

    private BatchLists() {}

    /** Writes the batches into {@code dir} (created, emptied first); returns the files' URIs in order. */
    static List<String> write(Path dir, int epoch, List<List<Sample>> batches) throws IOException {
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path p : old.toList()) Files.delete(p);
        }
        List<String> uris = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, HEADER, epoch, b)).append('\n');
            for (Sample s : batches.get(b)) text.append(s.label()).append('\t').append(s.file().toAbsolutePath()).append('\n');
            Path f = dir.resolve(String.format(Locale.ROOT, "batch-%06d.txt", b));
            AtomicFiles.writeString(f, text.toString());
            uris.add(f.toUri().toString());
        }
        return uris;
    }

    /** Reads a list written by {@link #write}; {@code origin} names it in errors. */
    static Batch read(InputStream in, String origin) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            String[] h = header == null ? new String[0] : header.split(" ");
            if (h.length != 5 || !h[0].equals("#") || !h[1].equals("epoch") || !h[3].equals("batch")) {
                throw new IOException(origin + ":1: expected '# epoch E batch B', got " + header);
            }
            int epoch = parse(h[2], origin, 1), index = parse(h[4], origin, 1);
            List<Sample> samples = new ArrayList<>();
            String line;
            for (int n = 2; (line = r.readLine()) != null; n++) {
                if (n > MAX_LINES) throw new IOException(origin + ": more than " + MAX_LINES + " lines; not a batch list");
                int tab = line.indexOf('\t');
                if (tab < 0) throw new IOException(origin + ":" + n + ": expected 'label<TAB>path', got " + line);
                samples.add(new Sample(Path.of(line.substring(tab + 1)), parse(line.substring(0, tab), origin, n)));
            }
            if (samples.isEmpty()) throw new IOException(origin + ": a batch list with no images");
            return new Batch(epoch, index, samples);
        }
    }

    private static int parse(String s, String origin, int line) throws IOException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IOException(origin + ":" + line + ": expected a whole number >= 0, got '" + s + "'");
        }
    }
}
