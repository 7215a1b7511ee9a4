package io.inception4j.weights;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Downloader;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The published checkpoints {@code import} knows by name ({@code configs/weights/known.yaml}): where each is
 * downloaded from, the SHA-256 (or the prefix of it its publisher gives) it must have, and its table.
 */
public final class KnownCheckpoints {
    /** One entry; {@code map} and {@code labels} (class names, one per line) are relative to the known list's folder. */
    public record Entry(String url, String sha256, String map, String labels) {}

    private final Path file;
    private final Map<String, Entry> entries;

    private KnownCheckpoints(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    public static KnownCheckpoints load(Path file) {
        if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no list of known checkpoints there");
        try {
            Map<String, Entry> e = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), new TypeReference<TreeMap<String, Entry>>() { });
            for (var x : e.entrySet()) {
                if (x.getValue().url() == null || x.getValue().sha256() == null || x.getValue().map() == null) {
                    throw new ConfigException(file + ": '" + x.getKey() + "' needs url, sha256 and map");
                }
            }
            return new KnownCheckpoints(file, e);
        } catch (IOException ex) {
            throw new ConfigException(file + ": " + ex.getMessage());
        }
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    public Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new ConfigException("'" + name + "' is neither a file nor a known checkpoint; known: " + String.join(", ", entries.keySet()));
        return e;
    }

    public Path mapFile(Entry e) {
        return file.toAbsolutePath().getParent().resolve(e.map());
    }

    /**
     * The checkpoint's file in {@code cache}, downloaded (with a progress bar) and checked against
     * {@code sha256} (the entry's unless given) when not already there.
     */
    public Path fetch(String name, Path cache, String sha256) throws IOException {
        Entry e = get(name);
        URI url = URI.create(e.url());
        Path dest = cache.resolve(url.getPath().replaceAll(".*/", ""));
        if (!Files.exists(dest)) Downloader.fetchFile(url, sha256 != null ? sha256 : e.sha256(), dest);
        return dest;
    }
}
