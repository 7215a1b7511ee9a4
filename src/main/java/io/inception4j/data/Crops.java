package io.inception4j.data;

import io.inception4j.config.ConfigException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The papers' multi-crop evaluation: where the crops of one image are, and their pixels. The network's
 * softmax is averaged over them ({@code io.inception4j.inference.MultiCrop}).
 *
 * <ul>
 * <li><b>1</b>: the single centre crop of {@link Preprocessing} (short side to input x resize_ratio, centre crop).</li>
 * <li><b>10</b>: the same resized image, its 4 corner crops and its centre crop at the same size as the single
 *     crop, and their mirror images (AlexNet's and the Inception v3 paper's multi-crop).</li>
 * <li><b>144</b>: the GoogLeNet paper's (Szegedy et al. 2014, section 7): the short side resized to 256, 288, 320
 *     and 352; the left, centre and right square of each (top, centre and bottom for a portrait image); of each
 *     square the 4 corner and the centre 224 x 224 crops and the whole square resized to 224 x 224; and their
 *     mirror images: 4 x 3 x 6 x 2. At other input sizes every number scales with the input: the scales are
 *     round(R x 256 / 224) .. round(R x 352 / 224) with R = max(input height, width), and the crops are the
 *     input's size (a square resized to a non-square input is stretched to it).</li>
 * </ul>
 */
public final class Crops {
    /** The crop counts there are. */
    public static final List<Integer> COUNTS = List.of(1, 10, 144);
    /** The GoogLeNet paper's short sides for a 224 px input. */
    static final int[] PAPER_SCALES = {256, 288, 320, 352};
    static final int PAPER_INPUT = 224;

    private Crops() {}

    /** {@code crops} if it is 1, 10 or 144; otherwise a one-line error naming the option. */
    public static int check(int crops) {
        if (!COUNTS.contains(crops)) throw new ConfigException("--crops " + crops + ": expected 1, 10 or 144");
        return crops;
    }

    /**
     * One crop: resize the image to {@code imageWidth} x {@code imageHeight}, take this rectangle of it, resize the
     * rectangle to the network's input, and mirror it left to right when {@code mirror}.
     */
    public record Box(int imageWidth, int imageHeight, int x, int y, int width, int height, boolean mirror) {
        Box mirrored() {
            return new Box(imageWidth, imageHeight, x, y, width, height, true);
        }
    }

    /**
     * The short side an image must be decoded at for {@code crops} crops: the single crop's
     * ({@link Preprocessing#cacheSide()}) for 1 and 10, the largest scale for 144.
     */
    public static int decodeSide(int crops, Preprocessing pre) {
        return check(crops) == 144 ? scales(pre)[PAPER_SCALES.length - 1] : pre.cacheSide();
    }

    /** The four short sides of the 144-crop scheme for this input (256, 288, 320, 352 at 224 px). */
    public static int[] scales(Preprocessing pre) {
        int r = Math.max(pre.height(), pre.width());
        int[] s = new int[PAPER_SCALES.length];
        for (int i = 0; i < s.length; i++) s[i] = (int) Math.round(r * PAPER_SCALES[i] / (double) PAPER_INPUT);
        return s;
    }

    /**
     * The crops of an image that is {@code width} x {@code height} pixels as decoded at {@link #decodeSide}: the
     * un-mirrored crops, then the same crops mirrored in the same order.
     */
    public static List<Box> boxes(int crops, Preprocessing pre, int width, int height) {
        List<Box> plain = switch (check(crops)) {
            case 1 -> List.of(centre(pre, width, height));
            case 10 -> fiveCrops(pre, width, height);
            default -> googLeNet(pre, width, height);
        };
        if (crops == 1) return plain;
        List<Box> all = new ArrayList<>(plain);
        for (Box b : plain) all.add(b.mirrored());
        return all;
    }

    /**
     * The single crop, exactly as {@link Augmenter#eval} takes it: the input's aspect ratio, 1 / resize_ratio of
     * the short side, centred.
     */
    static Box centre(Preprocessing pre, int width, int height) {
        int[] size = cropSize(pre, width, height);
        return new Box(width, height, (width - size[0]) / 2, (height - size[1]) / 2, size[0], size[1], false);
    }

    private static int[] cropSize(Preprocessing pre, int width, int height) {
        double scale = Math.min(width / (double) pre.width(), height / (double) pre.height()) / pre.resizeRatio();
        return new int[] {Math.max(1, (int) Math.round(pre.width() * scale)), Math.max(1, (int) Math.round(pre.height() * scale))};
    }

    /** Top-left, top-right, bottom-left, bottom-right and centre, at the single crop's size. */
    static List<Box> fiveCrops(Preprocessing pre, int width, int height) {
        int[] size = cropSize(pre, width, height);
        int cw = size[0], ch = size[1];
        return List.of(new Box(width, height, 0, 0, cw, ch, false), new Box(width, height, width - cw, 0, cw, ch, false),
                new Box(width, height, 0, height - ch, cw, ch, false), new Box(width, height, width - cw, height - ch, cw, ch, false),
                centre(pre, width, height));
    }

    /** Per scale (smallest first), per square (left/top, centre, right/bottom): 4 corners, centre, whole square. */
    static List<Box> googLeNet(Preprocessing pre, int width, int height) {
        List<Box> boxes = new ArrayList<>();
        int cw = pre.width(), ch = pre.height();
        for (int side : scales(pre)) {
            // The image with its short side at this scale, rounded as ImageDecoder rounds.
            double f = side / (double) Math.min(width, height);
            int w = width <= height ? side : Math.max(side, (int) Math.round(width * f));
            int h = width <= height ? Math.max(side, (int) Math.round(height * f)) : side;
            int free = Math.max(w, h) - side; // how far the square slides along the long side
            for (int offset : new int[] {0, free / 2, free}) {
                int sx = w > h ? offset : 0, sy = w > h ? 0 : offset;
                boxes.add(new Box(w, h, sx, sy, cw, ch, false));
                boxes.add(new Box(w, h, sx + side - cw, sy, cw, ch, false));
                boxes.add(new Box(w, h, sx, sy + side - ch, cw, ch, false));
                boxes.add(new Box(w, h, sx + side - cw, sy + side - ch, cw, ch, false));
                boxes.add(new Box(w, h, sx + (side - cw) / 2, sy + (side - ch) / 2, cw, ch, false));
                boxes.add(new Box(w, h, sx, sy, side, side, false));
            }
        }
        return boxes;
    }

    /**
     * Cuts crops out of one decoded image (3-channel BGR, short side {@link #decodeSide}), keeping the image
     * resized to each scale for the next crop of that scale. Close it to free them.
     */
    public static final class Cutter implements AutoCloseable {
        private final Mat image;
        private final Preprocessing pre;
        private final Map<Long, Mat> scaled = new HashMap<>();

        public Cutter(Mat image, Preprocessing pre) {
            this.image = image;
            this.pre = pre;
        }

        public int width() {
            return image.cols();
        }

        public int height() {
            return image.rows();
        }

        /**
         * Writes crop {@code b} as a [3, height, width] array in [-1, 1] into {@code out} from {@code offset}, as
         * {@link Preprocessing#decoded} writes the single crop (for the single crop's box, the very same numbers).
         */
        public void write(Box b, FloatBuffer out, int offset) {
            Mat source = image;
            if (b.imageWidth() != image.cols() || b.imageHeight() != image.rows()) {
                source = scaled.computeIfAbsent(((long) b.imageWidth() << 32) | b.imageHeight(), k -> {
                    Mat m = new Mat();
                    resize(image, m, new Size(b.imageWidth(), b.imageHeight()), 0, 0, INTER_AREA);
                    return m;
                });
            }
            try (Mat region = new Mat(source, new Rect(b.x(), b.y(), b.width(), b.height())); Mat crop = new Mat()) {
                // Augmenter's rule: area interpolation to shrink, bilinear to enlarge.
                boolean shrinking = b.width() > pre.width() || b.height() > pre.height();
                resize(region, crop, new Size(pre.width(), pre.height()), 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
                if (b.mirror()) {
                    try (Mat flipped = new Mat()) {
                        flip(crop, flipped, 1);
                        Preprocessing.toChw(flipped, out, offset, 1, 1);
                    }
                } else {
                    Preprocessing.toChw(crop, out, offset, 1, 1);
                }
            }
        }

        @Override
        public void close() {
            scaled.values().forEach(Mat::close);
            scaled.clear();
            image.close();
        }
    }
}
