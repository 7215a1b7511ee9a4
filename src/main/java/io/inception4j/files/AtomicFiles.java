package io.inception4j.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
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
 * <p>{@link #write} guards against the process dying; {@link #writeDurably} also against the machine losing
 * power (it syncs the file and its directory), for files worth hours of work: checkpoints.
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
        write(file, body, false);
    }

    /** As {@link #write}, and on disk when it returns: the file, then its directory entry, synced. */
    public static void writeDurably(Path file, Body body) throws IOException {
        write(file, body, true);
    }

    private static void write(Path file, Body body, boolean durable) throws IOException {
        // Not Files.createTempFile: its 0600 permissions would pass to the real file on rename; CREATE_NEW keeps
        // the umask's, as a plain write would, and a random name keeps two writers of one file apart.
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            if (durable) {
                sync(tmp);
                sync(tmp.getParent()); // the new file's directory entry
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (durable) sync(tmp.getParent()); // the rename
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Flushes a file's (or a directory's) contents to the disk, so a power cut cannot leave a renamed but empty file. */
    private static void sync(Path p) throws IOException {
        boolean dir = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!dir) throw e; // some file systems cannot sync a directory; the file itself is synced
        }
    }

    /** Whether {@code file} is named as this class names temporaries. */
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
