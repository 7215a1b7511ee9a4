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
     * Training-time augmentation. GoogLeNet-style (paper, section 6): random crops covering {@code crop_area} of
     * the image with aspect ratio in {@code aspect}, resized to the input; horizontal flips; optional photometric
     * distortion of brightness and contrast by up to {@code color}. Then, as the reference training scripts of
     * torchvision and timm add them (issue 30), all off by default:
     *
     * @param randAugment   RandAugment(N, M) on each image after the crop and flip (torchvision's RandAugment)
     * @param trivialAugment one op per image at a uniformly random magnitude (torchvision's TrivialAugmentWide);
     *                      not together with rand_augment
     * @param randomErasing erase a random rectangle of some images after normalisation (torchvision's and timm's
     *                      RandomErasing)
     * @param mixupAlpha    mixup: lambda ~ Beta(alpha, alpha), each image blended with its partner in the batch
     *                      reversed (timm's Mixup, mode "batch"); 0 = off (timm 0.8, torchvision 0.2)
     * @param cutmixAlpha   CutMix: a box of area 1 - lambda pasted from the partner, lambda ~ Beta(alpha, alpha)
     *                      and then corrected to the box's true area; 0 = off (timm and torchvision 1.0)
     * @param mixProb       chance that a batch is mixed at all when mixup or CutMix is on (timm's mixup_prob)
     * @param switchProb    when both are on, chance that a mixed batch uses CutMix rather than mixup (timm's
     *                      mixup_switch_prob; torchvision's RandomChoice of the two is 0.5)
     */
    public record Augment(List<Double> cropArea, List<Double> aspect, Boolean flip, Double color, RandAugment randAugment,
                          Boolean trivialAugment, RandomErasing randomErasing, Double mixupAlpha, Double cutmixAlpha,
                          Double mixProb, Double switchProb) {
        public Augment(List<Double> cropArea, List<Double> aspect, Boolean flip, Double color) {
            this(cropArea, aspect, flip, color, null, null, null, null, null, null, null);
        }

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
            trivialAugment = trivialAugment == null ? Boolean.FALSE : trivialAugment;
            if (trivialAugment && randAugment != null) {
                throw new Binder.InvalidValue("trivial_augment", "expected rand_augment or trivial_augment, not both (each is a whole"
                        + " policy: torchvision's RandAugment and TrivialAugmentWide)");
            }
            mixupAlpha = alpha("mixup_alpha", mixupAlpha);
            cutmixAlpha = alpha("cutmix_alpha", cutmixAlpha);
            mixProb = probability("mix_prob", mixProb == null ? 1.0 : mixProb);
            switchProb = probability("switch_prob", switchProb == null ? 0.5 : switchProb);
        }

        /** Mixup or CutMix is on: batches carry mixed (soft) labels. */
        public boolean mixes() {
            return (mixupAlpha > 0 || cutmixAlpha > 0) && mixProb > 0;
        }

        private static double alpha(String key, Double v) {
            double a = v == null ? 0.0 : v;
            if (!(a >= 0) || Double.isInfinite(a)) {
                throw new Binder.InvalidValue(key, "expected 0 (off) or a positive alpha of Beta(alpha, alpha), got " + v);
            }
            return a;
        }
    }

    /** A probability: 0 to 1. */
    static double probability(String key, double v) {
        if (!(v >= 0 && v <= 1)) throw new Binder.InvalidValue(key, "expected a probability from 0 to 1, got " + v);
        return v;
    }

    /**
     * RandAugment (Cubuk et al. 2020) as torchvision implements it: {@code n} ops per image, each drawn uniformly
     * (with replacement) from {@code ops}, at magnitude bin {@code m} of 31 (0..30), the geometric and enhancement
     * ops' sign random.
     *
     * @param n   ops per image (torchvision's num_ops, default 2)
     * @param m   magnitude bin, 0..30 (torchvision's magnitude, default 9; timm's rand-m9)
     * @param ops the ops to draw from (default all 14 of torchvision's: identity, shear_x, shear_y, translate_x,
     *            translate_y, rotate, brightness, color, contrast, sharpness, posterize, solarize, auto_contrast,
     *            equalize)
     */
    public record RandAugment(Integer n, Integer m, List<String> ops) {
        /** torchvision's op names, in its order, as the keys spell them. */
        public static final List<String> OPS = List.of("identity", "shear_x", "shear_y", "translate_x", "translate_y", "rotate",
                "brightness", "color", "contrast", "sharpness", "posterize", "solarize", "auto_contrast", "equalize");

        public RandAugment {
            n = n == null ? 2 : n;
            if (n < 0) throw new Binder.InvalidValue("n", "expected 0 or more ops per image, got " + n);
            m = m == null ? 9 : m;
            if (m < 0 || m > 30) throw new Binder.InvalidValue("m", "expected a magnitude bin from 0 to 30 (torchvision's 31 bins), got " + m);
            ops = ops == null ? OPS : List.copyOf(ops);
            if (ops.isEmpty()) throw new Binder.InvalidValue("ops", "expected at least one op; valid ops: " + String.join(", ", OPS));
            for (int i = 0; i < ops.size(); i++) {
                if (!OPS.contains(ops.get(i))) {
                    throw new Binder.InvalidValue("ops/" + i, "unknown op " + Binder.quote(ops.get(i))
                            + Suggestions.didYouMean(ops.get(i), OPS) + "; valid ops: " + String.join(", ", OPS));
                }
            }
        }
    }

    /**
     * Random erasing (Zhong et al. 2020) as torchvision's and timm's RandomErasing: with probability {@code p}, a
     * rectangle covering {@code area} of the image (uniform) with aspect ratio in {@code aspect} (log-uniform) is
     * overwritten, after normalisation; 10 tries to fit one, else the image stays whole.
     *
     * @param p      chance per image (timm's reprob; timm's recipes 0.25, torchvision's 0.1)
     * @param area   [min, max] share of the image (torchvision's scale, default [0.02, 0.33])
     * @param aspect [min, max] height / width (torchvision's ratio, default [0.3, 3.3])
     * @param mode   pixel: a standard normal value per pixel and channel (timm's remode "pixel", torchvision's
     *               value="random"; default); rand: one normal value per channel; const: 0, the mean grey
     */
    public record RandomErasing(Double p, List<Double> area, List<Double> aspect, Mode mode) {
        public enum Mode { PIXEL, RAND, CONST }

        public RandomErasing {
            p = probability("p", p == null ? 0.25 : p);
            area = area == null ? List.of(0.02, 0.33) : List.copyOf(area);
            aspect = aspect == null ? List.of(0.3, 3.3) : List.copyOf(aspect);
            mode = mode == null ? Mode.PIXEL : mode;
            if (area.size() != 2 || !(area.get(0) > 0) || area.get(1) > 1 || area.get(0) > area.get(1)) {
                throw new Binder.InvalidValue("area", "expected [min, max] with 0 < min <= max <= 1, got " + area);
            }
            if (aspect.size() != 2 || !(aspect.get(0) > 0) || aspect.get(0) > aspect.get(1)) {
                throw new Binder.InvalidValue("aspect", "expected [min, max] with 0 < min <= max, got " + aspect);
            }
        }
    }

    /** An archive to download: its URL, SHA-256, and the folder inside it that holds the images. */
    public record Download(String url, String sha256, String folder) {}
}
