package io.inception4j.data;

import io.inception4j.config.Binder;
import io.inception4j.config.BoundedText;
import io.inception4j.config.ConfigException;
import io.inception4j.config.DataConfig;
import org.datavec.api.io.labels.ParentPathLabelGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The labelled files of a dataset and its class names, in label order: paths and labels only, never pixels,
 * held compactly ({@link SampleList}: the name's bytes plus 8 per file, about 50 MB for ImageNet's 1.28 M).
 *
 * @param given the train/val/test split the layout itself defines (split folders, ImageNet), or null when
 *              the split is drawn by seed ({@link Splits})
 */
public record ImageIndex(List<String> classes, SampleList samples, Splits given) {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp");
    private static final Pattern FLOWERS_NAME = Pattern.compile("image_(\\d{4})\\.jpg");
    private static final Pattern WNID = Pattern.compile("n\\d{8}");
    private static final Pattern IMAGENET_VAL_NAME = Pattern.compile("ILSVRC2012_val_(\\d{8})\\.(?i:jpe?g)");

    public static ImageIndex of(DataConfig data, Path root) {
        return switch (data.layout()) {
            case FLOWERS17 -> flowers17(data, root);
            case FOLDERS -> folders(root);
            case SPLIT_FOLDERS -> splitFolders(root);
            case IMAGENET -> ImageNet.index(data, root);
        };
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
        SampleList.Builder samples = SampleList.builder(root);
        for (Path f : list(jpg)) {
            Matcher m = FLOWERS_NAME.matcher(f.getFileName().toString());
            if (!m.matches()) continue;
            int n = Integer.parseInt(m.group(1));
            if (n < 1 || n > 1360) continue;
            samples.add(f, (n - 1) / 80);
        }
        if (samples.size() == 0) throw new ConfigException(jpg + ": no image_NNNN.jpg files");
        return new ImageIndex(classes, samples.build(), null);
    }

    /**
     * One sub-folder per class (DataVec's ParentPathLabelGenerator: a file's label is its folder's name);
     * classes sorted by name. A class folder without images is an error, not a class nobody can learn.
     */
    static ImageIndex folders(Path root) {
        if (!Files.isDirectory(root)) throw new ConfigException(root + ": no such folder");
        List<String> classes = classFolders(root);
        Map<String, Integer> label = labels(classes);
        ParentPathLabelGenerator labeler = new ParentPathLabelGenerator();
        SampleList.Builder samples = SampleList.builder(root);
        for (Path f : images(root)) {
            Integer l = label.get(labeler.getLabelForPath(f.toUri()).toString());
            if (l == null) {
                throw new ConfigException(f + ": images must be inside a class folder (one level below " + root + ")");
            }
            samples.add(f, l);
        }
        return new ImageIndex(classes, samples.build(), null);
    }

    /**
     * A split the dataset comes with: {@code train/}, {@code val/} and (optionally) {@code test/}, each with one
     * folder per class. Classes are train's folders; val and test may not name others. Nothing is re-split.
     */
    static ImageIndex splitFolders(Path root) {
        Path train = root.resolve("train"), val = root.resolve("val"), test = root.resolve("test");
        if (!Files.isDirectory(train) || !Files.isDirectory(val)) {
            throw new ConfigException(root + ": expected train/ and val/ folders (and optionally test/), each with one folder per class");
        }
        List<String> classes = classFolders(train);
        Map<String, Integer> label = labels(classes);
        SampleList.Builder b = SampleList.builder(root);
        int tr = part(b, train, label), va = part(b, val, label), te = Files.isDirectory(test) ? part(b, test, label) : 0;
        return given(classes, b.build(), tr, va, te);
    }

    /** An index whose first {@code tr} entries are the training split, then {@code va} validation and {@code te} test. */
    static ImageIndex given(List<String> classes, SampleList all, int tr, int va, int te) {
        return new ImageIndex(classes, all, new Splits(all.range(0, tr), all.range(tr, tr + va), all.range(tr + va, tr + va + te)));
    }

    /** Adds the files of one split folder, labelled by their class folder (one of train's); returns how many. */
    static int part(SampleList.Builder out, Path dir, Map<String, Integer> label) {
        int before = out.size();
        for (Path cls : list(dir)) {
            if (!Files.isDirectory(cls)) continue;
            Integer l = label.get(cls.getFileName().toString());
            if (l == null) {
                throw new ConfigException(cls + ": class folder '" + cls.getFileName() + "' is not among train's " + label.size()
                        + " classes" + io.inception4j.config.Suggestions.didYouMean(cls.getFileName().toString(), label.keySet()));
            }
            List<Path> files = images(cls);
            if (files.isEmpty()) throw new ConfigException(cls + ": empty class folder (no images)");
            for (Path f : files) out.add(f, l);
        }
        return out.size() - before;
    }

    /** The sorted names of the class folders in {@code dir}; each must hold at least one image. */
    static List<String> classFolders(Path dir) {
        TreeSet<String> names = new TreeSet<>();
        for (Path d : list(dir)) {
            if (!Files.isDirectory(d)) continue;
            if (images(d).isEmpty()) throw new ConfigException(d + ": empty class folder (no images)");
            names.add(d.getFileName().toString());
        }
        if (names.isEmpty()) throw new ConfigException(dir + ": no class folders (expected one sub-folder of images per class)");
        return List.copyOf(names);
    }

    static Map<String, Integer> labels(List<String> classes) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) m.put(classes.get(i), i);
        return m;
    }

    /** Image files under {@code dir} (any depth), sorted. */
    static List<Path> images(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(ImageIndex::isImage).filter(Files::isRegularFile).sorted().toList(); // the name first: no stat for other files
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a file name has an image extension the decoder reads. */
    public static boolean isImage(Path f) {
        Path name = f.getFileName();
        return name != null && hasImageExtension(name.toString());
    }

    /** The same on a name, by comparing in place (a listing asks this of every file: no copies per name). */
    static boolean hasImageExtension(String n) {
        int dot = n.lastIndexOf('.');
        if (dot <= 0) return false;
        int len = n.length() - dot - 1;
        for (String ext : IMAGE_EXTENSIONS) {
            if (ext.length() == len && n.regionMatches(true, dot + 1, ext, 0, len)) return true;
        }
        return false;
    }

    /**
     * The ImageNet (ILSVRC2012) layout: {@code train/<wnid>/*.JPEG}; {@code val/} either in wnid folders or flat
     * ({@code ILSVRC2012_val_00000001.JPEG ..}) with a label file; class names from a synset file
     * ({@code LOC_synset_mapping.txt}: "wnid words" per line, in label order).
     *
     * <p>Flat validation labels come in two kinds. One wnid per line, line i for image i (TensorFlow's
     * {@code imagenet_2012_validation_synset_labels.txt}). Or the devkit's
     * {@code ILSVRC2012_validation_ground_truth.txt}, whose numbers are ILSVRC2012_IDs: positions in the
     * devkit's own synset order (meta.mat), which is not the sorted-wnid order of the label indices. Reading
     * them as indices mislabels the whole validation set silently, so they are accepted only together with
     * {@code data.devkit_synsets}, a file of the devkit's wnids in ILSVRC2012_ID order.
     */
    static final class ImageNet {
        private ImageNet() {}

        static ImageIndex index(DataConfig data, Path root) {
            Path train = root.resolve("train"), val = root.resolve("val");
            if (!Files.isDirectory(train) || !Files.isDirectory(val)) {
                throw new ConfigException(root + ": not an ImageNet folder (expected train/<wnid>/ and val/)");
            }
            Path synsetFile = root.resolve(data.imagenet().synsets());
            LinkedHashMap<String, String> synsets = synsets(synsetFile);
            List<String> wnids = List.copyOf(synsets.keySet());
            Map<String, Integer> label = labels(wnids);
            List<String> names = wnids.stream().map(w -> w + " " + synsets.get(w)).toList();

            SampleList.Builder b = SampleList.builder(root);
            for (Path cls : list(train)) {
                if (!Files.isDirectory(cls)) continue;
                Integer l = label.get(cls.getFileName().toString());
                if (l == null) throw new ConfigException(cls + ": folder '" + cls.getFileName() + "' is not a synset of " + synsetFile);
                List<Path> files = images(cls);
                if (files.isEmpty()) throw new ConfigException(cls + ": empty class folder (no images)");
                for (Path f : files) b.add(f, l);
            }
            int tr = b.size();
            if (tr == 0) throw new ConfigException(train + ": no class folders");
            boolean valInFolders = hasFolder(val);
            int va = valInFolders ? part(b, val, label) : flatVal(b, data, root, val, wnids, label);
            return given(names, b.build(), tr, va, 0);
        }

        /**
         * Whether {@code dir} has a sub-folder, looking only at entries not named like an image: a flat folder of
         * 50,000 (or, in a generated set, 200,000) validation images is read once by {@link #flatVal}, and was
         * listed, sorted and checked file by file here as well (garbage in proportion to the set, made at the
         * moment the index is complete: results/data/README.md).
         */
        static boolean hasFolder(Path dir) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path e : entries) {
                    if (!hasImageExtension(e.getFileName().toString()) && Files.isDirectory(e)) return true;
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** "n01440764 tench, Tinca tinca" lines: wnid, then its words. */
        static LinkedHashMap<String, String> synsets(Path file) {
            LinkedHashMap<String, String> out = new LinkedHashMap<>();
            List<String> lines = readLines(file, "the synset list (data.imagenet.synsets, e.g. LOC_synset_mapping.txt)");
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                String wnid = line.split("\\s+", 2)[0];
                if (!WNID.matcher(wnid).matches()) {
                    throw new ConfigException(file + ":" + (i + 1) + ": expected 'wnid words' (e.g. 'n01440764 tench, Tinca tinca'), got " + Binder.quote(line));
                }
                if (out.put(wnid, line.length() > wnid.length() ? line.substring(wnid.length()).strip() : wnid) != null) {
                    throw new ConfigException(file + ":" + (i + 1) + ": synset " + wnid + " listed twice");
                }
            }
            if (out.isEmpty()) throw new ConfigException(file + ": no synsets");
            return out;
        }

        /** Adds the flat validation folder's files, labelled by the label file; returns how many. */
        static int flatVal(SampleList.Builder out, DataConfig data, Path root, Path val, List<String> wnids, Map<String, Integer> label) {
            if (data.imagenet().valLabels() == null) {
                throw new ConfigException(val + ": flat validation images need a label file (data.imagenet.val_labels)");
            }
            Path labelsFile = root.resolve(data.imagenet().valLabels());
            List<String> lines = readLines(labelsFile, "the validation label file (data.imagenet.val_labels)").stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            // The label of image i (1-based line i), -1 for a wnid the training set does not have (kept in
            // `unknown` for the error, raised only if that image is there): 4 bytes an image, not its line's String.
            int[] labelOf = new int[lines.size()];
            Map<Integer, String> unknown = new HashMap<>();
            boolean ids = !lines.isEmpty() && lines.get(0).matches("\\d+");
            List<String> devkit = null;
            Path devkitFile = null;
            if (ids) {
                if (data.imagenet().devkitSynsets() == null) {
                    throw new ConfigException(labelsFile + ": holds ILSVRC2012_IDs (numbers), which index the devkit's synset order,"
                            + " not this dataset's sorted wnids; set data.imagenet.devkit_synsets to a file of the devkit's wnids in ID order"
                            + " (from its meta.mat), or use a file of one wnid per line (imagenet_2012_validation_synset_labels.txt)");
                }
                devkitFile = root.resolve(data.imagenet().devkitSynsets());
                devkit = new ArrayList<>(synsets(devkitFile).keySet());
            }
            for (int i = 0; i < lines.size(); i++) {
                String wnid;
                if (ids) {
                    int id;
                    try {
                        id = Integer.parseInt(lines.get(i));
                    } catch (NumberFormatException e) {
                        throw new ConfigException(labelsFile + ":" + (i + 1) + ": expected an ILSVRC2012_ID, got " + Binder.quote(lines.get(i)));
                    }
                    if (id < 1 || id > devkit.size()) {
                        throw new ConfigException(labelsFile + ":" + (i + 1) + ": ILSVRC2012_ID " + id + " is not in 1.." + devkit.size() + " (" + devkitFile + ")");
                    }
                    wnid = devkit.get(id - 1);
                } else {
                    wnid = lines.get(i);
                    if (!WNID.matcher(wnid).matches()) {
                        throw new ConfigException(labelsFile + ":" + (i + 1) + ": expected a wnid (e.g. n01440764), got " + Binder.quote(wnid));
                    }
                }
                Integer l = label.get(wnid);
                labelOf[i] = l == null ? -1 : l;
                if (l == null) unknown.put(i + 1, wnid);
            }
            int images = lines.size();
            lines = null; // a String per image: let it go before the folder is listed
            // The files by image number, their names being fixed (ILSVRC2012_val_NNNNNNNN.<ext>, in that order when
            // sorted): for each number the index of its extension in `extensions`, 0 for none. A flat folder of
            // 200,000 once held 40 MB of sorted Paths, and then of names, until the index was complete: long
            // enough for the collector to promote them, and the heap stayed larger for the rest of the run.
            byte[] extensionOf = new byte[images];
            List<String> extensions = new ArrayList<>(List.of(""));
            Matcher m = IMAGENET_VAL_NAME.matcher("");
            try (DirectoryStream<Path> files = Files.newDirectoryStream(val)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (!hasImageExtension(name)) continue;
                    if (!m.reset(name).matches()) throw new ConfigException(f + ": expected ImageNet validation names ILSVRC2012_val_NNNNNNNN.JPEG");
                    int n = Integer.parseInt(m.group(1));
                    if (n < 1 || n > images) {
                        throw new ConfigException(labelsFile + ": has " + images + " labels, but " + name + " is image " + n);
                    }
                    if (extensionOf[n - 1] != 0) throw new ConfigException(f + ": image " + n + " is also " + val.resolve(valName(n, extensions.get(extensionOf[n - 1]))));
                    String ext = name.substring(VAL_PREFIX.length() + 9);
                    int e = extensions.indexOf(ext);
                    if (e < 0) {
                        e = extensions.size();
                        extensions.add(ext);
                    }
                    extensionOf[n - 1] = (byte) e; // at most 24 spellings of jpg/jpeg: fits
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int before = out.size();
            for (int n = 1; n <= images; n++) {
                if (extensionOf[n - 1] == 0) continue;
                int l = labelOf[n - 1];
                if (l < 0) {
                    throw new ConfigException(labelsFile + ":" + n + ": " + unknown.get(n) + " is not a synset of the training set");
                }
                out.add(val.resolve(valName(n, extensions.get(extensionOf[n - 1]))), l);
            }
            int added = out.size() - before;
            if (added == 0) throw new ConfigException(val + ": no validation images");
            if (added != images) {
                throw new ConfigException(labelsFile + ": " + images + " labels for " + added + " images in " + val);
            }
            return added;
        }

        private static final String VAL_PREFIX = "ILSVRC2012_val_";

        /** ILSVRC2012_val_00000001.JPEG for image 1 and extension JPEG. */
        static String valName(int n, String extension) {
            String digits = Integer.toString(n);
            return VAL_PREFIX + "0".repeat(8 - digits.length()) + digits + "." + extension;
        }

        /** ImageNet's longest list, 50,000 validation labels of about 10 bytes a line, is about 500 KB. */
        private static final long MAX_LIST_BYTES = 64L << 20;

        private static List<String> readLines(Path file, String what) {
            if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such file (" + what + ")");
            return BoundedText.lines(file, what, MAX_LIST_BYTES);
        }
    }
}
