package io.inception4j.data;

import io.inception4j.config.ConfigException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled images named by the user rather than by a split ({@code evaluate --images}): a folder with one
 * subfolder per label (images found recursively inside each), or a list file of {@code path label} lines, the
 * label a name or an index, the format of a run's {@code splits/*.txt} (relative paths are against the list's
 * folder; blank lines and lines starting with # are skipped).
 */
public final class LabelledImages {
    private LabelledImages() {}

    public static List<Sample> read(Path folderOrList, List<String> labels) {
        try {
            return Files.isDirectory(folderOrList) ? folder(folderOrList, labels) : list(folderOrList, labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Sample> folder(Path dir, List<String> labels) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<Path> subfolders;
        try (var list = Files.list(dir)) {
            subfolders = list.filter(Files::isDirectory).sorted().toList();
        }
        for (Path sub : subfolders) {
            String name = sub.getFileName().toString();
            int label = labels.indexOf(name);
            if (label < 0) throw new ConfigException(sub + ": '" + name + "' is not one of the model's labels " + labels);
            try (var walk = Files.walk(sub)) {
                walk.filter(Files::isRegularFile).filter(ImageIndex::isImage).sorted().forEach(f -> samples.add(new Sample(f, label)));
            }
        }
        if (samples.isEmpty()) throw new ConfigException(dir + ": no images in subfolders named after the labels " + labels);
        return samples;
    }

    private static List<Sample> list(Path file, List<String> labels) throws IOException {
        if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such folder or list file");
        List<Sample> samples = new ArrayList<>();
        Path base = file.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(file);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int cut = Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t'));
            if (cut < 0) throw new ConfigException(file + ":" + (n + 1) + ": expected 'path label', got '" + line + "'");
            String label = line.substring(cut + 1);
            int index = labels.indexOf(label);
            if (index < 0 && label.matches("\\d+") && Integer.parseInt(label) < labels.size()) index = Integer.parseInt(label);
            if (index < 0) throw new ConfigException(file + ":" + (n + 1) + ": '" + label + "' is not a label of the model nor an index below " + labels.size());
            samples.add(new Sample(base.resolve(line.substring(0, cut).strip()), index));
        }
        if (samples.isEmpty()) throw new ConfigException(file + ": no images listed");
        return samples;
    }
}
