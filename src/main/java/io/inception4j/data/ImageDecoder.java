package io.inception4j.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.loader.NativeImageLoader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYCOLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Decodes one image file into a 3-channel 8-bit BGR OpenCV Mat (DataVec's channel order) whose short side is
 * {@code side} pixels: what training caches or streams and what inference preprocesses. Every decode path of
 * the project goes through here, so a cached and a streamed image are the same pixels.
 *
 * <p>Before decoding, the header is read ({@link ImageHeader}): a file over the pixel limit is refused with
 * its size and the limit, an empty or unrecognised file is refused, and a damaged one (a JPEG without its
 * end marker) is either refused ({@code allowDamaged = false}: training) or decoded with the problem noted
 * (inference reports it). A JPEG much larger than needed is decoded at 1/2, 1/4 or 1/8 scale by libjpeg's DCT
 * scaling (OpenCV's IMREAD_REDUCED_COLOR_*), which DataVec's NativeImageLoader cannot ask for; other formats
 * decode through OpenCV too, and GIF (which this OpenCV lacks) through DataVec's loader.
 */
public final class ImageDecoder {
    /** Default pixel limit: 100 megapixels (ImageNet's largest image is under 40). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    /** Files larger than this are refused before being read. */
    static final long MAX_FILE_BYTES = 512L << 20;

    static {
        // Leptonica (DataVec's GIF path) prints its complaints about a bad file straight to stderr, past our
        // one-line errors; the exception we raise says what was wrong.
        org.bytedeco.leptonica.global.lept.setMsgSeverity(org.bytedeco.leptonica.global.lept.L_SEVERITY_NONE);
    }

    private ImageDecoder() {}

    /** A decoded image and the damage its header showed (null when sound). */
    public record Decoded(Mat image, String problem) {}

    /** An image that cannot be used, with a one-line reason naming the file. */
    public static class ImageException extends IOException {
        public ImageException(Path file, String reason) {
            super(file + ": " + reason);
        }
    }

    /** An image over a size limit (bytes or pixels): a server answers 413 for it, not 400. */
    public static final class ImageTooLargeException extends ImageException {
        public ImageTooLargeException(Path file, String reason) {
            super(file, reason);
        }
    }

    public static Decoded decode(Path file, int side, long maxPixels, boolean allowDamaged) throws IOException {
        ImageHeader h;
        try {
            h = ImageHeader.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageException(file, "no such file");
        }
        return decode(file, h, side, maxPixels, allowDamaged, () -> FileBytes.read(file), file);
    }

    /**
     * The same for an image in memory ({@code inception4j serve}'s uploads), through the same checks and decoder,
     * so that an upload and its file give the same pixels; {@code name} stands for the file in messages.
     */
    public static Decoded decode(byte[] image, String name, int side, long maxPixels, boolean allowDamaged) throws IOException {
        Path file = Path.of(name);
        ImageHeader h = ImageHeader.read(image);
        if (h.format().equals("gif")) { // DataVec's GIF path reads files only
            checkPixels(file, h.width(), h.height(), maxPixels);
            Path tmp = java.nio.file.Files.createTempFile("inception4j-upload-", ".gif");
            try {
                java.nio.file.Files.write(tmp, image);
                return decode(file, h, side, maxPixels, allowDamaged, null, tmp);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        }
        return decode(file, h, side, maxPixels, allowDamaged, () -> {
            ByteBuffer b = ByteBuffer.allocateDirect(image.length);
            return b.put(image).flip();
        }, null);
    }

    private interface Bytes {
        ByteBuffer read() throws IOException;
    }

    /**
     * @param source  the encoded bytes, for OpenCV
     * @param gifFile where a GIF's bytes are instead (DataVec's GIF decoder reads files only)
     */
    private static Decoded decode(Path file, ImageHeader h, int side, long maxPixels, boolean allowDamaged, Bytes source, Path gifFile)
            throws IOException {
        if (h.format().equals("unknown")) throw new ImageException(file, h.problem());
        if (h.bytes() > MAX_FILE_BYTES) {
            throw new ImageTooLargeException(file, String.format(Locale.ROOT, "%,d bytes is over the %,d-byte limit for an image file", h.bytes(), MAX_FILE_BYTES));
        }
        checkPixels(file, h.width(), h.height(), maxPixels);
        // Damage we can decode around (a JPEG or PNG cut short: the decoder fills the rest) is allowed when
        // asked; a header we could not even read is not, and never reaches a decoder.
        if (h.damaged() && (!allowDamaged || !h.problem().startsWith("truncated:"))) throw new ImageException(file, h.problem());

        Mat m;
        try {
            if (h.format().equals("gif")) {
                m = new OpenCVFrameConverter.ToMat().convert(new NativeImageLoader().asWritable(gifFile.toFile()).getFrame());
            } else {
                ByteBuffer bytes = source.read();
                int flags = h.format().equals("jpeg") ? reducedFlag(h, side) : IMREAD_ANYDEPTH | IMREAD_ANYCOLOR;
                try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.limit(), CV_8U, data)) {
                    m = imdecode(encoded, flags);
                }
            }
        } catch (IOException | RuntimeException | LinkageError e) { // DataVec's and OpenCV's own failures
            throw new ImageException(file, "cannot be decoded as " + h.format() + (e.getMessage() == null ? "" : " ("
                    + e.getMessage().lines().findFirst().orElse("") + ")"));
        }
        if (m == null || m.empty() || m.rows() < 1 || m.cols() < 1) {
            throw new ImageException(file, h.damaged() ? h.problem() : "cannot be decoded as " + h.format());
        }
        checkPixels(file, m.cols(), m.rows(), maxPixels); // formats whose header we do not parse
        return new Decoded(toSide(toBgr8(file, m), side), h.problem());
    }

    private static void checkPixels(Path file, long width, long height, long maxPixels) throws ImageTooLargeException {
        if (width > 0 && height > 0 && width * height > maxPixels) {
            throw new ImageTooLargeException(file, String.format(Locale.ROOT, "%d x %d pixels (%,d) is over the limit of %,d pixels (data.max_pixels)",
                    width, height, width * height, maxPixels));
        }
    }

    /** The largest DCT reduction that keeps the short side at least {@code side} (0: full size). */
    static int reducedFlag(ImageHeader h, int side) {
        int shortSide = Math.min(h.width(), h.height());
        if (side <= 0 || shortSide <= 0) return IMREAD_ANYDEPTH | IMREAD_ANYCOLOR;
        if (shortSide >= 8 * side) return IMREAD_REDUCED_COLOR_8;
        if (shortSide >= 4 * side) return IMREAD_REDUCED_COLOR_4;
        if (shortSide >= 2 * side) return IMREAD_REDUCED_COLOR_2;
        return IMREAD_ANYDEPTH | IMREAD_ANYCOLOR;
    }

    private static Mat toBgr8(Path file, Mat m) throws ImageException {
        if (m.depth() != CV_8U) { // 16-bit PNG/TIFF: to 8 bits
            Mat eight = new Mat();
            m.convertTo(eight, CV_8U, m.depth() == CV_16U ? 1 / 257.0 : 1.0, 0);
            m = eight;
        }
        Mat bgr = new Mat();
        switch (m.channels()) {
            case 1 -> cvtColor(m, bgr, COLOR_GRAY2BGR);
            case 3 -> bgr = m;
            case 4 -> cvtColor(m, bgr, COLOR_BGRA2BGR);
            default -> throw new ImageException(file, m.channels() + " colour channels (expected 1, 3 or 4)");
        }
        return bgr;
    }

    /** Resizes so that the short side is {@code side} (0: as decoded). */
    private static Mat toSide(Mat bgr, int side) {
        if (side <= 0) return bgr;
        double scale = side / (double) Math.min(bgr.rows(), bgr.cols());
        Mat out = new Mat();
        resize(bgr, out, new Size((int) Math.max(1, Math.round(bgr.cols() * scale)),
                (int) Math.max(1, Math.round(bgr.rows() * scale))), 0, 0, INTER_AREA);
        return out;
    }

    /**
     * A file's bytes in a direct buffer this thread keeps and reuses, which OpenCV decodes in place: reading
     * into a new Java array, then copying it to native memory, made two copies of every file (about 200 KB an
     * image) for the collector. A file larger than {@link #KEPT} gets a buffer of its own, not kept.
     */
    static final class FileBytes {
        static final int KEPT = 8 << 20;
        private static final ThreadLocal<ByteBuffer[]> BUFFER = ThreadLocal.withInitial(() -> new ByteBuffer[] {ByteBuffer.allocateDirect(1 << 18)});

        private FileBytes() {}

        static ByteBuffer read(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file)) {
                long size = ch.size();
                if (size > Integer.MAX_VALUE - 8) throw new IOException(file + ": " + size + " bytes is too large for an image");
                ByteBuffer[] kept = BUFFER.get();
                ByteBuffer b;
                if (size <= kept[0].capacity()) {
                    b = kept[0];
                } else if (size <= KEPT) {
                    b = kept[0] = ByteBuffer.allocateDirect(Math.min(KEPT, Integer.highestOneBit((int) size) << 1));
                } else {
                    b = ByteBuffer.allocateDirect((int) size);
                }
                b.clear().limit((int) size);
                while (b.hasRemaining() && ch.read(b) >= 0) { }
                return b.flip();
            }
        }
    }
}
