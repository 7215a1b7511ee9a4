package io.inception4j.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A file is written to a temporary sibling ({@code .NAME-<random>.tmp}) and renamed over its real name, so a
 * crash, kill -9 or Ctrl-C leaves the old file or the new one, never a mix. A temporary left by a killed process
 * is never read (the real name is the only one anything looks for) and {@link #removeTemporaries} clears it.
 *
 * <p>Not fsync'ed: the guarantee is against the process dying, not the machine losing power (checkpoints, which
 * are worth hours, also sync: {@code train.Checkpoints}).
 */
public final class AtomicFiles {
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.tmp");

    private AtomicFiles() {}

    /** What writes a file's bytes to a stream. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void write(Path file, Body body) throws IOException {
        // Not Files.createTempFile: its 0600 permissions would pass to the real file on rename; CREATE_NEW keeps
        // the umask's, as a plain write would, and a random name keeps two writers of one file apart.
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether {@code file} is named as this class (and checkpoints) name temporaries. */
    public static boolean isTemporary(Path file) {
        return TEMPORARY.matcher(file.getFileName().toString()).matches();
    }

    /** Deletes the temporaries a killed writer left directly in {@code dir}; returns them. */
    public static List<Path> removeTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> removed = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(AtomicFiles::isTemporary).toList()) {
                Files.deleteIfExists(p);
                removed.add(p);
            }
        }
        return removed;
    }
}
