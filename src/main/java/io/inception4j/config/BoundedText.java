package io.inception4j.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Text files from strangers (configs, label lists, a run's tables), read whole only when no larger than such a
 * file can be, so a multi-gigabyte file is refused without being read; every failure is one ConfigException
 * naming the file (and the line, for tables).
 */
public final class BoundedText {
    private BoundedText() {}

    /**
     * The file's text.
     *
     * @param what what the file should be, for errors ("a config", "the synset list (data.imagenet.synsets)")
     */
    public static String read(Path file, String what, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ConfigException(String.format(Locale.ROOT, "%s: %,d bytes is too large for %s (the limit is %,d bytes)",
                        file, size, what, maxBytes));
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": " + what + " must be UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read " + what + " (" + e.getMessage() + ")");
        }
    }

    /** The file's lines, read as {@link #read} reads it. */
    public static List<String> lines(Path file, String what, long maxBytes) {
        return read(file, what, maxBytes).lines().toList();
    }

    /**
     * A table: {@code header} on the first line, then one row per non-blank line, each turned into a value by
     * {@code row}, whose RuntimeException (a missing field, a number that is not one) means a damaged line.
     */
    public static <T> List<T> table(Path file, String what, long maxBytes, String header, Function<String, T> row) {
        List<String> lines = lines(file, what, maxBytes);
        if (lines.isEmpty() || !lines.get(0).equals(header)) throw new ConfigException(file + ":1: expected the header " + header);
        List<T> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) continue;
            try {
                rows.add(row.apply(lines.get(n)));
            } catch (RuntimeException e) {
                throw new ConfigException(file + ":" + (n + 1) + ": expected a row of " + header + ", got " + Binder.quote(lines.get(n)));
            }
        }
        return rows;
    }
}
