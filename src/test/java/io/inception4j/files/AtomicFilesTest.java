package io.inception4j.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    /** Plain and durable (synced, for checkpoints) alike. */
    @Test
    void aWriteReplacesTheFileWholeAndLeavesNoTemporary(@TempDir Path tmp) throws IOException {
        Path plain = tmp.resolve("metrics.csv"), durable = tmp.resolve("epoch-0001.zip");
        for (Path f : List.of(plain, durable)) AtomicFiles.writeString(f, "one\n");
        AtomicFiles.writeString(plain, "one\ntwo\n");
        AtomicFiles.writeDurably(durable, out -> out.write("one\ntwo\n".getBytes()));
        for (Path f : List.of(plain, durable)) assertEquals("one\ntwo\n", Files.readString(f));
        assertEquals(List.of(durable, plain), list(tmp));
    }

    @Test
    void aWriteThatFailsHalfwayKeepsTheOldFile(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("train.yaml");
        AtomicFiles.writeString(f, "epochs: 60\n");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("epochs: 1".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("epochs: 60\n", Files.readString(f));
        assertEquals(List.of(f), list(tmp));
    }

    @Test
    void theFileGetsTheSamePermissionsAsAPlainWrite(@TempDir Path tmp) throws IOException {
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
        Path atomic = tmp.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @Test
    void onlyTemporariesAreRemoved(@TempDir Path tmp) throws IOException {
        for (String name : List.of(".index.html-k3j9.tmp", ".epoch-0003.zip-81727.tmp", "notes.tmp", "index.html", ".hidden")) {
            Files.writeString(tmp.resolve(name), "x");
        }
        assertEquals(List.of(tmp.resolve(".epoch-0003.zip-81727.tmp"), tmp.resolve(".index.html-k3j9.tmp")),
                AtomicFiles.removeTemporaries(tmp).stream().sorted().toList());
        assertEquals(List.of(tmp.resolve(".hidden"), tmp.resolve("index.html"), tmp.resolve("notes.tmp")), list(tmp));
        assertEquals(List.of(), AtomicFiles.removeTemporaries(tmp.resolve("missing")));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
