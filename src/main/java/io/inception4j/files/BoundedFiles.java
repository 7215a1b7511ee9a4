package io.inception4j.files;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a whole text file only when it is no larger than its caller says such a file can be: a label list or
 * a table from a stranger may be gigabytes, and {@code Files.readAllLines} would try to hold them all. The
 * errors are worded to follow "FILE: cannot read WHAT (...)" and similar.
 */
public final class BoundedFiles {
    private BoundedFiles() {}

    /** The file's text (UTF-8), or an IOException saying it is too large or not text. */
    public static String readString(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IOException(String.format(Locale.ROOT, "%,d bytes is over the limit of %,d bytes for this file", size, maxBytes));
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text");
        }
    }

    /** The file's lines, as {@link #readString} reads it. */
    public static List<String> readAllLines(Path file, long maxBytes) throws IOException {
        return readString(file, maxBytes).lines().toList();
    }
}
