package io.inception4j.data;

import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import org.datavec.api.io.labels.ParentPathLabelGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The labelled files of a dataset and its class names, in label order. */
public record ImageIndex(List<String> classes, List<Sample> samples) {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");
    private static final Pattern FLOWERS_NAME = Pattern.compile("image_(\\d{4})\\.jpg");

    public static ImageIndex of(DataConfig data, Path root) {
        return data.layout() == DataConfig.Layout.FLOWERS17 ? flowers17(data, root) : folders(root);
    }

    /**
     * The official 17-flowers layout: jpg/image_0001.jpg .. image_1360.jpg, 80 consecutive images per class,
     * in the class order of the dataset's README (label = (N - 1) / 80).
     */
    static ImageIndex flowers17(DataConfig data, Path root) {
        Path jpg = root.resolve("jpg");
        if (!Files.isDirectory(jpg)) {
            throw new ConfigException(root + ": not a 17-flowers folder (expected " + jpg + " with image_0001.jpg ..)");
        }
        List<String> classes = data.classes();
        if (classes.size() != 17) {
            throw new ConfigException("data.classes: the flowers17 layout needs the 17 class names, got " + classes.size());
        }
        List<Sample> samples = new ArrayList<>();
        try (Stream<Path> files = Files.list(jpg)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = FLOWERS_NAME.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                int n = Integer.parseInt(m.group(1));
                if (n < 1 || n > 1360) continue;
                samples.add(new Sample(f, (n - 1) / 80));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (samples.isEmpty()) throw new ConfigException(jpg + ": no image_NNNN.jpg files");
        return new ImageIndex(classes, List.copyOf(samples));
    }

    /** One sub-folder per class, labelled by DataVec's ParentPathLabelGenerator; classes sorted by name. */
    static ImageIndex folders(Path root) {
        if (!Files.isDirectory(root)) throw new ConfigException(root + ": no such folder");
        ParentPathLabelGenerator labeler = new ParentPathLabelGenerator();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(ImageIndex::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) throw new ConfigException(root + ": no images (expected one sub-folder of images per class)");
        TreeSet<String> names = new TreeSet<>();
        for (Path f : files) names.add(labeler.getLabelForPath(f.toUri()).toString());
        List<String> classes = List.copyOf(names);
        List<Sample> samples = files.stream()
                .map(f -> new Sample(f, classes.indexOf(labeler.getLabelForPath(f.toUri()).toString()))).toList();
        return new ImageIndex(classes, samples);
    }

    /** Whether a file name has an image extension DataVec's loader reads. */
    public static boolean isImage(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
