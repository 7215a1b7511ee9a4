package io.inception4j.data;

import io.inception4j.config.ConfigException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fetches a dataset archive over HTTP(S) with a progress bar, checks its SHA-256, and unpacks it (.tgz).
 * Nothing lands at the destination until the archive is complete and verified: download to a temporary
 * file, unpack into a temporary folder, then rename.
 */
public final class Downloader {
    private Downloader() {}

    /** Downloads {@code url} and unpacks it so that {@code dest} is the archive's {@code folder}. */
    public static void fetchAndUnpack(URI url, String sha256, String folder, Path dest) throws IOException {
        Files.createDirectories(dest.toAbsolutePath().getParent());
        Path archive = Files.createTempFile(dest.toAbsolutePath().getParent(), ".download-", ".part");
        Path staging = Files.createTempDirectory(dest.toAbsolutePath().getParent(), ".unpack-");
        try {
            String actual = download(url, archive);
            if (sha256 != null && !sha256.equalsIgnoreCase(actual)) {
                throw new ConfigException(url + ": SHA-256 mismatch: expected " + sha256 + ", got " + actual
                        + " (the download is corrupt or the archive changed; nothing was unpacked)");
            }
            untarGz(archive, staging);
            Path inner = folder == null || folder.isEmpty() ? staging : staging.resolve(folder);
            if (!Files.isDirectory(inner)) throw new IOException(url + ": the archive has no folder '" + folder + "'");
            Files.move(inner, dest, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(archive);
            deleteTree(staging);
        }
    }

    /**
     * Downloads {@code url} to {@code dest} (temporary file, checked, then renamed: never a half file at
     * {@code dest}). {@code sha256} is the file's SHA-256 in hex, or a leading part of it of at least 8 digits
     * (what torchvision publishes in its file names, and all torch.hub checks).
     */
    public static void fetchFile(URI url, String sha256, Path dest) throws IOException {
        if (sha256 == null || !sha256.matches("[0-9a-fA-F]{8,64}")) {
            throw new ConfigException(url + ": expected a SHA-256 (or its first 8 or more hex digits) to check the download against, got " + sha256);
        }
        Files.createDirectories(dest.toAbsolutePath().getParent());
        Path part = Files.createTempFile(dest.toAbsolutePath().getParent(), ".download-", ".part");
        try {
            String actual = download(url, part);
            if (!actual.startsWith(sha256.toLowerCase(java.util.Locale.ROOT))) {
                throw new ConfigException(url + ": SHA-256 mismatch: expected " + sha256 + (sha256.length() < 64 ? "..." : "") + ", got " + actual
                        + " (the download is corrupt or the file changed; nothing was kept)");
            }
            Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Streams {@code url} to {@code file}, returning the SHA-256 of what was written. */
    static String download(URI url, Path file) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
        c.setConnectTimeout(30_000);
        c.setReadTimeout(60_000);
        int code = c.getResponseCode();
        if (code != 200) throw new IOException(url + ": HTTP " + code);
        long total = c.getContentLengthLong();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ProgressBar bar = ProgressBar.stderr("downloading " + url.getPath().replaceAll(".*/", ""), Math.max(total, 1));
        try (InputStream in = new DigestInputStream(new BufferedInputStream(c.getInputStream()), sha);
             OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long done = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                bar.update(total > 0 ? done : 0, (done >> 20) + " MiB");
            }
            bar.update(Math.max(total, 1), (done >> 20) + " MiB");
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static void untarGz(Path archive, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new BufferedInputStream(Files.newInputStream(archive))))) {
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) throw new IOException("archive entry escapes the folder: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
