package io.inception4j.config;

import java.util.List;

/**
 * An image dataset, as written in {@code configs/data/*.yaml}.
 *
 * @param name        short name, used in run directory names
 * @param layout      {@code flowers17}: the official flat layout (jpg/image_NNNN.jpg, 80 per class in class
 *                    order); {@code folders}: one sub-folder per class (DataVec's ParentPathLabelGenerator);
 *                    {@code split_folders}: train/, val/ (and test/) folders, each with one sub-folder per
 *                    class, used as given; {@code imagenet}: ILSVRC2012's train/wnid/ and val/ (see imagenet)
 * @param search      folders to look in, in order, relative to the working directory; a download goes to
 *                    the first (a {@code --data} option or the {@code env} variable comes before all of them)
 * @param env         environment variable that may name the folder (e.g. INCEPTION4J_FLOWERS17)
 * @param classes     class names in label order (flowers17); for folders, the sorted folder names are used
 * @param split       images per class for train/val/test (whole numbers), or fractions of each class (layouts
 *                    that come split ignore it)
 * @param resizeRatio decoded images are cached with their short side = input x this; evaluation takes the
 *                    centre crop of that (1.14 ~ the common 224/256)
 * @param augment     training-time augmentation
 * @param download    where to get the dataset when it is absent (flowers17: the official archive)
 * @param cache       {@code memory}: decode every image once and keep it; {@code none}: read and decode each
 *                    image whenever a batch needs it (memory flat in the dataset's size); {@code auto}
 *                    (default): memory when the decoded set needs under a quarter of the native memory limit
 * @param workers     threads that decode and augment (default: one per core)
 * @param maxPixels   images whose header declares more pixels are refused before decoding (default 100 M)
 * @param imagenet    file names for the imagenet layout, relative to the dataset folder
 */
public record DataConfig(String name, Layout layout, List<String> search, String env, List<String> classes, Split split,
                         Double resizeRatio, Augment augment, Download download, Cache cache, Integer workers,
                         Long maxPixels, ImageNet imagenet) {

    public enum Layout { FLOWERS17, FOLDERS, SPLIT_FOLDERS, IMAGENET }

    public enum Cache { AUTO, MEMORY, NONE }

    public DataConfig {
        if (name == null || name.isBlank()) throw new Binder.InvalidValue("name", "expected a dataset name");
        layout = layout == null ? Layout.FOLDERS : layout;
        search = search == null || search.isEmpty() ? List.of("datasets/" + name) : List.copyOf(search);
        classes = classes == null ? List.of() : List.copyOf(classes);
        split = split == null ? new Split(0.7, 0.15, 0.15) : split;
        resizeRatio = resizeRatio == null ? 1.14 : resizeRatio;
        if (resizeRatio < 1) throw new Binder.InvalidValue("resize_ratio", "expected 1 or more, got " + resizeRatio);
        augment = augment == null ? new Augment(null, null, null, null) : augment;
        cache = cache == null ? Cache.AUTO : cache;
        workers = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        if (workers < 1) throw new Binder.InvalidValue("workers", "expected at least 1 thread, got " + workers);
        maxPixels = maxPixels == null ? 100_000_000L : maxPixels;
        if (maxPixels < 1) throw new Binder.InvalidValue("max_pixels", "expected a positive number of pixels, got " + maxPixels);
        imagenet = imagenet == null ? new ImageNet(null, null, null) : imagenet;
    }

    /**
     * ImageNet's label files.
     *
     * @param synsets       "wnid words" per line, in label order (default LOC_synset_mapping.txt)
     * @param valLabels     for a flat val/ folder: one wnid per line, line i for ILSVRC2012_val_0000000i
     *                      (TensorFlow's imagenet_2012_validation_synset_labels.txt), or the devkit's
     *                      ILSVRC2012_validation_ground_truth.txt together with devkitSynsets
     * @param devkitSynsets the devkit's wnids in ILSVRC2012_ID order ("wnid words" per line), which the
     *                      devkit's ground-truth numbers refer to
     */
    public record ImageNet(String synsets, String valLabels, String devkitSynsets) {
        public ImageNet {
            synsets = synsets == null ? "LOC_synset_mapping.txt" : synsets;
        }
    }

    /** Per class: whole numbers are image counts (17-flowers: 40/20/20), fractions are shares. */
    public record Split(Double train, Double val, Double test) {
        public Split {
            if (train == null || val == null || test == null) {
                throw new Binder.InvalidValue("", "expected train, val and test");
            }
            if (train <= 0 || val < 0 || test < 0) throw new Binder.InvalidValue("train", "expected positive sizes");
            boolean counts = train >= 1 || val >= 1 || test >= 1;
            if (!counts && train + val + test > 1.0 + 1e-9) {
                throw new Binder.InvalidValue("", "fractions add up to more than 1: " + (train + val + test));
            }
        }

        public boolean isCounts() {
            return train >= 1 || val >= 1 || test >= 1;
        }
    }

    /**
     * GoogLeNet-style augmentation (paper, section 6): random crops covering {@code crop_area} of the image
     * with aspect ratio in {@code aspect}, resized to the input; horizontal flips; optional photometric
     * distortion of brightness/contrast/saturation by up to {@code color}.
     */
    public record Augment(List<Double> cropArea, List<Double> aspect, Boolean flip, Double color) {
        public Augment {
            cropArea = cropArea == null ? List.of(0.08, 1.0) : List.copyOf(cropArea);
            aspect = aspect == null ? List.of(0.75, 4.0 / 3) : List.copyOf(aspect);
            flip = flip == null ? Boolean.TRUE : flip;
            color = color == null ? 0.0 : color;
            if (cropArea.size() != 2 || cropArea.get(0) <= 0 || cropArea.get(1) > 1 || cropArea.get(0) > cropArea.get(1)) {
                throw new Binder.InvalidValue("crop_area", "expected [min, max] with 0 < min <= max <= 1, got " + cropArea);
            }
            if (aspect.size() != 2 || aspect.get(0) <= 0 || aspect.get(0) > aspect.get(1)) {
                throw new Binder.InvalidValue("aspect", "expected [min, max] with 0 < min <= max, got " + aspect);
            }
            if (color < 0 || color >= 1) throw new Binder.InvalidValue("color", "expected 0 <= color < 1, got " + color);
        }
    }

    /** An archive to download: its URL, SHA-256, and the folder inside it that holds the images. */
    public record Download(String url, String sha256, String folder) {}
}
