package io.inception4j.data;

import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds a dataset's folder: the {@code --data} option, else the config's environment variable, else the
 * first of its {@code search} folders that exists; if none does and the config names a download, fetches it
 * into the first search folder.
 */
public final class DatasetLocator {
    private static final Logger log = LoggerFactory.getLogger(DatasetLocator.class);

    private DatasetLocator() {}

    public static Path locate(DataConfig data, Path option, Map<String, String> env) {
        if (option != null) {
            if (!Files.isDirectory(option)) throw new ConfigException("--data " + option + ": no such folder");
            return option;
        }
        if (data.env() != null && env.get(data.env()) != null && !env.get(data.env()).isBlank()) {
            Path p = Path.of(env.get(data.env()));
            if (!Files.isDirectory(p)) throw new ConfigException(data.env() + "=" + p + ": no such folder");
            return p;
        }
        for (String s : data.search()) {
            if (Files.isDirectory(Path.of(s))) return Path.of(s);
        }
        Path dest = Path.of(data.search().get(0));
        if (data.download() == null || data.download().url() == null) {
            throw new ConfigException("dataset '" + data.name() + "' not found in " + data.search()
                    + (data.env() == null ? "" : " nor in $" + data.env()) + "; pass --data <folder>");
        }
        log.info("{} not found in {}; downloading {} into {}", data.name(), data.search(), data.download().url(), dest);
        try {
            Downloader.fetchAndUnpack(URI.create(data.download().url()), data.download().sha256(),
                    data.download().folder(), dest);
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + data.download().url() + " failed: " + e.getMessage(), e);
        }
        return dest;
    }
}
