package io.inception4j.archive;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a DL4J model zip in ModelSerializer's layout (so DL4J itself can read it) plus our own entries, in
 * the order {@link ModelArchive} expects, with every entry's SHA-256. Arrays are written without
 * compression: trained floats shrink by a few percent at most, and deflating hundreds of megabytes took most
 * of an epoch's time for Inception v3 on 17-flowers.
 */
public final class ModelArchiveWriter implements AutoCloseable {
    private final ZipOutputStream zip;
    private final Map<String, String> sha256 = new LinkedHashMap<>();

    /** Writes to {@code out}, which {@link #close} closes. */
    public ModelArchiveWriter(OutputStream out) {
        this.zip = new ZipOutputStream(new BufferedOutputStream(out, 1 << 20));
    }

    /** configuration.json, coefficients.bin and, if asked and present, updaterState.bin. */
    public ModelArchiveWriter network(ComputationGraph graph, boolean withUpdater) throws IOException {
        text(ModelArchive.CONFIG, graph.getConfiguration().toJson());
        array(ModelArchive.COEFFICIENTS, graph.params());
        if (withUpdater && graph.getUpdater() != null && graph.getUpdater().getStateViewArray() != null) {
            array(ModelArchive.UPDATER, graph.getUpdater().getStateViewArray());
        }
        return this;
    }

    public ModelArchiveWriter text(String name, String text) throws IOException {
        return bytes(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public ModelArchiveWriter bytes(String name, byte[] data) throws IOException {
        zip.setLevel(Deflater.DEFAULT_COMPRESSION);
        try (OutputStream out = entry(name)) {
            out.write(data);
        }
        return this;
    }

    /** An array in ND4J's binary format (Nd4j.write), stored uncompressed. */
    public ModelArchiveWriter array(String name, INDArray array) throws IOException {
        zip.setLevel(Deflater.NO_COMPRESSION);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(entry(name), 1 << 20))) {
            Nd4j.write(array, out);
        }
        return this;
    }

    /** The SHA-256 of every entry written so far, by name. */
    public Map<String, String> sha256() {
        return Map.copyOf(sha256);
    }

    private OutputStream entry(String name) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new DigestOutputStream(new OutputStream() { // closing the entry must not close the zip
            @Override
            public void write(int b) throws IOException {
                zip.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                zip.closeEntry();
                sha256.put(name, HexFormat.of().formatHex(md.digest()));
            }
        }, md);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
