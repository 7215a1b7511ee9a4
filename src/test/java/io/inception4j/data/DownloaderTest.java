package io.inception4j.data;

import com.sun.net.httpserver.HttpServer;
import io.inception4j.config.ConfigException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dataset download path, against a loopback HTTP server serving an archive shaped like 17flowers.tgz. */
class DownloaderTest {
    HttpServer server;
    byte[] archive;

    @BeforeEach
    void serve() throws IOException {
        archive = tgz();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/17flowers.tgz", ex -> {
            ex.sendResponseHeaders(200, archive.length);
            ex.getResponseBody().write(archive);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/17flowers.tgz");
    }

    static byte[] tgz() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (String name : new String[] {"jpg/image_0001.jpg", "jpg/files.txt"}) {
                byte[] data = ("content of " + name).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(data.length);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void downloadsChecksAndUnpacks(@TempDir Path tmp) throws Exception {
        Path dest = tmp.resolve("datasets/flowers17");
        Downloader.fetchAndUnpack(url(), sha256(archive), "", dest);
        assertEquals("content of jpg/image_0001.jpg", Files.readString(dest.resolve("jpg/image_0001.jpg")));
        try (var left = Files.list(dest.getParent())) {
            assertEquals(1, left.count(), "no temporary files left behind");
        }
    }

    @Test
    void aChecksumMismatchUnpacksNothing(@TempDir Path tmp) {
        Path dest = tmp.resolve("datasets/flowers17");
        var e = assertThrows(ConfigException.class,
                () -> Downloader.fetchAndUnpack(url(), "00".repeat(32), "", dest));
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertFalse(Files.exists(dest));
    }
}
