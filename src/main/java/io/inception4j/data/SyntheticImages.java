package io.inception4j.data;

import io.inception4j.config.DataConfig;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/**
 * Writes a synthetic image set in any supported layout, so tests and benchmarks can use large sets without a
 * download: JPEGs of a given size whose class shows in their colours and shapes (a small network can learn
 * them), optionally with damaged files of every kind the pipeline must survive. Same arguments, same files.
 *
 * <p>ImageNet layout: synsets n00000001.. ("n00000001 class 1") in LOC_synset_mapping.txt, train/wnid/,
 * flat val/ILSVRC2012_val_NNNNNNNN.JPEG with both kinds of label file: one wnid per line
 * (imagenet_2012_validation_synset_labels.txt) and devkit IDs (ILSVRC2012_validation_ground_truth.txt) that
 * refer to a shuffled devkit order (devkit_synsets.txt), as the real devkit's do.
 */
public final class SyntheticImages {
    private SyntheticImages() {}

    /**
     * @param perClass images per class (per split for split_folders; train per class for imagenet)
     * @param corrupt  damaged files to add to the first class (truncated, empty, not an image, oversized header)
     * @param distinct 0: every file a JPEG of its own; N: only about N distinct JPEGs (N / classes per class), every
     *                 further file a hard link to one of its class's, so sets of a million entries fit this
     *                 machine's disk while the pipeline still opens and decodes every file
     */
    public record Spec(DataConfig.Layout layout, int classes, int perClass, int width, int height, int quality, int corrupt, long seed,
                       int distinct) {
        public Spec(DataConfig.Layout layout, int classes, int perClass, int width, int height, int quality, int corrupt, long seed) {
            this(layout, classes, perClass, width, height, quality, corrupt, seed, 0);
        }

        public Spec {
            if (distinct < 0) throw new IllegalArgumentException("expected --distinct >= 0, got " + distinct);
            if (layout == DataConfig.Layout.FLOWERS17) throw new IllegalArgumentException("17-flowers is a real dataset; generate folders, split_folders or imagenet");
            if (classes < 1 || perClass < 1 || width < 8 || height < 8) throw new IllegalArgumentException("expected classes, images per class >= 1 and sizes >= 8");
        }
    }

    /** Writes the set under {@code root} (created); returns the number of image files written. */
    public static int write(Spec spec, Path root) throws IOException {
        Files.createDirectories(root);
        Images rnd = new Images(spec);
        int n = 0;
        switch (spec.layout()) {
            case FOLDERS -> {
                for (int c = 0; c < spec.classes(); c++) n += classFolder(spec, root.resolve(className(c)), c, spec.perClass(), rnd);
                n += corrupt(spec, root.resolve(className(0)));
            }
            case SPLIT_FOLDERS -> {
                for (String split : List.of("train", "val", "test")) {
                    int count = split.equals("train") ? spec.perClass() : Math.max(1, spec.perClass() / 4);
                    for (int c = 0; c < spec.classes(); c++) n += classFolder(spec, root.resolve(split).resolve(className(c)), c, count, rnd);
                }
                n += corrupt(spec, root.resolve("train").resolve(className(0)));
            }
            case IMAGENET -> n = imagenet(spec, root, rnd);
            default -> throw new IllegalArgumentException(spec.layout().toString());
        }
        return n;
    }

    static String className(int c) {
        return String.format(Locale.ROOT, "class%03d", c);
    }

    static String wnid(int c) {
        return String.format(Locale.ROOT, "n%08d", c + 1);
    }

    /** The files' contents: a new JPEG each, or past a class's share of distinct ones, a hard link to one of them. */
    private static final class Images {
        private final Spec spec;
        private final Random rnd;
        private final Map<Integer, List<Path>> originals = new HashMap<>();

        Images(Spec spec) {
            this.spec = spec;
            this.rnd = new Random(spec.seed());
        }

        void put(Path file, int c) throws IOException {
            List<Path> own = originals.computeIfAbsent(c, k -> new ArrayList<>());
            int share = Math.max(1, spec.distinct() / spec.classes());
            if (spec.distinct() > 0 && own.size() >= share) {
                Files.createLink(file, own.get(rnd.nextInt(share)));
            } else {
                Files.write(file, jpeg(spec, c, rnd));
                if (spec.distinct() > 0) own.add(file);
            }
        }

        Random random() {
            return rnd;
        }
    }

    private static int classFolder(Spec spec, Path dir, int c, int count, Images images) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) images.put(dir.resolve(String.format(Locale.ROOT, "img_%05d.jpg", i)), c);
        return count;
    }

    private static int imagenet(Spec spec, Path root, Images images) throws IOException {
        Random rnd = images.random();
        StringBuilder mapping = new StringBuilder();
        for (int c = 0; c < spec.classes(); c++) mapping.append(wnid(c)).append(" class ").append(c + 1).append('\n');
        Files.writeString(root.resolve("LOC_synset_mapping.txt"), mapping);
        int n = 0;
        for (int c = 0; c < spec.classes(); c++) {
            Path dir = Files.createDirectories(root.resolve("train").resolve(wnid(c)));
            for (int i = 0; i < spec.perClass(); i++) {
                images.put(dir.resolve(String.format(Locale.ROOT, "%s_%d.JPEG", wnid(c), i + 1)), c);
                n++;
            }
        }
        n += corrupt(spec, root.resolve("train").resolve(wnid(0)));
        // Flat val: a few images per class in shuffled order, with both kinds of label file.
        List<Integer> valClasses = new ArrayList<>();
        for (int c = 0; c < spec.classes(); c++) for (int i = 0; i < Math.max(1, spec.perClass() / 4); i++) valClasses.add(c);
        Collections.shuffle(valClasses, rnd);
        List<Integer> devkitOrder = new ArrayList<>();
        for (int c = 0; c < spec.classes(); c++) devkitOrder.add(c);
        Collections.shuffle(devkitOrder, rnd); // the devkit numbers synsets in its own order, not by wnid
        Path val = Files.createDirectories(root.resolve("val"));
        StringBuilder tf = new StringBuilder(), devkit = new StringBuilder(), devkitSynsets = new StringBuilder();
        for (int d : devkitOrder) devkitSynsets.append(wnid(d)).append(" class ").append(d + 1).append('\n');
        for (int i = 0; i < valClasses.size(); i++) {
            int c = valClasses.get(i);
            images.put(val.resolve(String.format(Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", i + 1)), c);
            tf.append(wnid(c)).append('\n');
            devkit.append(devkitOrder.indexOf(c) + 1).append('\n');
            n++;
        }
        Files.writeString(root.resolve("imagenet_2012_validation_synset_labels.txt"), tf);
        Files.writeString(root.resolve("ILSVRC2012_validation_ground_truth.txt"), devkit);
        Files.writeString(root.resolve("devkit_synsets.txt"), devkitSynsets);
        return n;
    }

    /** A JPEG whose colours and shapes depend on its class, with noise so that no two are alike. */
    public static byte[] jpeg(Spec spec, int c, Random rnd) {
        Random classColours = new Random(1_000 + c);
        Mat m = new Mat(spec.height(), spec.width(), CV_8UC3,
                new Scalar(classColours.nextInt(256), classColours.nextInt(256), classColours.nextInt(256), 0));
        Scalar fg = new Scalar(classColours.nextInt(256), classColours.nextInt(256), classColours.nextInt(256), 0);
        int shapes = 2 + (c % 4);
        for (int s = 0; s < shapes; s++) {
            int x = rnd.nextInt(spec.width()), y = rnd.nextInt(spec.height()), r = 4 + rnd.nextInt(Math.max(5, spec.width() / 6));
            if ((c + s) % 2 == 0) circle(m, new Point(x, y), r, fg, -1, 8, 0);
            else rectangle(m, new Point(x, y), new Point(Math.min(spec.width() - 1, x + r), Math.min(spec.height() - 1, y + r)), fg, -1, 8, 0);
        }
        ByteBuffer px = m.createBuffer();
        for (int i = 0; i < spec.width() * spec.height() * 3; i++) {
            int v = (px.get(i) & 0xff) + rnd.nextInt(31) - 15;
            px.put(i, (byte) Math.max(0, Math.min(255, v)));
        }
        try (BytePointer out = new BytePointer()) {
            imencode(".jpg", m, out, new org.bytedeco.javacpp.IntPointer(IMWRITE_JPEG_QUALITY, spec.quality()));
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /** Damaged files of each kind, in turn, into {@code dir}. */
    private static int corrupt(Spec spec, Path dir) throws IOException {
        Random rnd = new Random(spec.seed() + 17);
        for (int i = 0; i < spec.corrupt(); i++) {
            byte[] good = jpeg(spec, 0, rnd);
            byte[] bytes = switch (i % 4) {
                case 0 -> java.util.Arrays.copyOf(good, good.length * 2 / 5);              // truncated download
                case 1 -> new byte[0];                                                       // empty file
                case 2 -> "<html>404 Not Found</html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII); // not an image
                default -> hugePng(40_000, 40_000);                                          // a header over the limit
            };
            String ext = i % 4 == 3 ? "png" : "jpg";
            Files.write(dir.resolve(String.format(Locale.ROOT, "corrupt_%02d.%s", i, ext)), bytes);
        }
        return spec.corrupt();
    }

    /** A small PNG whose header declares {@code width} x {@code height} pixels (and whose data is nonsense). */
    public static byte[] hugePng(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.putLong(0x89504E470D0A1A0AL);
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(13).put(ihdr.array()).putInt(crc(ihdr.array()));
        byte[] idat = "IDAT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.putInt(0).put(idat).putInt(crc(idat));
        byte[] iend = "IEND".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.putInt(0).put(iend).putInt(crc(iend));
        return b.array();
    }

    private static int crc(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return (int) c.getValue();
    }
}
