package io.inception4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an image file says about itself before any pixel is decoded: its format (by magic number, not by
 * name), its width and height, and whether it is complete (JPEG's end-of-image marker, PNG's IEND chunk).
 * Reads a few kilobytes at most, so a 20000 x 20000 header is refused before anything large is allocated,
 * and a truncated download is noticed instead of being decoded into grey.
 *
 * @param format  jpeg, png, bmp, gif, tiff, webp, or unknown
 * @param width   pixels, or -1 when the format's header was not understood
 * @param height  pixels, or -1
 * @param problem why the file is damaged (e.g. "truncated: no JPEG end-of-image marker"), or null
 */
public record ImageHeader(String format, int width, int height, long bytes, String problem) {
    /** How far into a JPEG to look for its frame header (EXIF blocks with thumbnails come first). */
    private static final int JPEG_SCAN_LIMIT = 1 << 20;

    public long pixels() {
        return width < 0 || height < 0 ? -1 : (long) width * height;
    }

    public boolean damaged() {
        return problem != null;
    }

    /** Reads the header (and, for JPEG and PNG, the last bytes) of {@code file}. */
    /**
     * Bytes read at a time. Every header a set has is read when it is prepared: at 64 KB a read, a million files
     * made 64 GB of garbage, and the collector grew the heap (and the process) with the set's size; the frame
     * header is in the first few hundred bytes of most JPEGs, and the walk reads on where it is not.
     */
    static final int WINDOW = 4 * 1024;

    public static ImageHeader read(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return read(ch);
        }
    }

    /** The same for an image in memory (an upload to {@code inception4j serve}). */
    public static ImageHeader read(byte[] image) {
        try {
            return read(new BytesChannel(image));
        } catch (IOException e) {
            throw new IllegalStateException("reading memory cannot fail", e);
        }
    }

    private static ImageHeader read(SeekableByteChannel ch) throws IOException {
        {
            long size = ch.size(); // from the open file: a separate stat would be a second system call and object per file
            if (size == 0) return new ImageHeader("unknown", -1, -1, 0, "empty file (0 bytes)");
            ByteBuffer head = readAt(ch, 0, (int) Math.min(size, WINDOW), BUFFERS.get()[0]);
            String format = sniff(head);
            return switch (format) {
                case "jpeg" -> jpeg(ch, size, head);
                case "png" -> png(ch, size, head);
                case "gif" -> new ImageHeader(format, u16le(head, 6), u16le(head, 8), size, null);
                case "bmp" -> bmp(head, size);
                case "tiff", "webp" -> new ImageHeader(format, -1, -1, size, null); // sizes checked after decoding
                default -> new ImageHeader("unknown", -1, -1, size, "not an image (unrecognised file signature)");
            };
        }
    }

    private static ImageHeader bmp(ByteBuffer head, long size) {
        if (head.limit() < 54) return new ImageHeader("bmp", -1, -1, size, "damaged BMP: header too short");
        ByteBuffer le = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long width = le.getInt(18), height = Math.abs((long) le.getInt(22));
        if (width <= 0 || height <= 0 || width > 1_000_000 || height > 1_000_000) {
            return new ImageHeader("bmp", -1, -1, size, "damaged BMP: impossible size " + width + " x " + height);
        }
        return new ImageHeader("bmp", (int) width, (int) height, size, null);
    }

    static String sniff(ByteBuffer b) {
        if (b.limit() >= 3 && (b.get(0) & 0xff) == 0xFF && (b.get(1) & 0xff) == 0xD8 && (b.get(2) & 0xff) == 0xFF) return "jpeg";
        if (b.limit() >= 8 && (b.getLong(0) == 0x89504E470D0A1A0AL)) return "png";
        if (b.limit() >= 10 && b.get(0) == 'G' && b.get(1) == 'I' && b.get(2) == 'F') return "gif";
        if (b.limit() >= 2 && b.get(0) == 'B' && b.get(1) == 'M') return "bmp";
        if (b.limit() >= 4 && ((b.get(0) == 'I' && b.get(1) == 'I' && b.get(2) == 42) || (b.get(0) == 'M' && b.get(1) == 'M' && b.get(3) == 42))) return "tiff";
        if (b.limit() >= 12 && b.get(0) == 'R' && b.get(1) == 'I' && b.get(8) == 'W' && b.get(9) == 'E') return "webp";
        return "unknown";
    }

    /** Walks the JPEG segments to the frame header (SOFn), then checks the file ends with EOI (FFD9). */
    private static ImageHeader jpeg(SeekableByteChannel ch, long size, ByteBuffer head) throws IOException {
        int width = -1, height = -1;
        long pos = 2;
        ByteBuffer seg = head;
        long segStart = 0;
        while (pos + 4 <= Math.min(size, JPEG_SCAN_LIMIT)) {
            if (pos + 10 > segStart + seg.limit()) { // read on from here
                segStart = pos;
                seg = readAt(ch, pos, (int) Math.min(size - pos, WINDOW), BUFFERS.get()[0]);
                if (seg.limit() < 4) break;
            }
            int i = (int) (pos - segStart);
            if ((seg.get(i) & 0xff) != 0xFF) break; // not at a marker: damaged
            int marker = seg.get(i + 1) & 0xff;
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
            int length = ((seg.get(i + 2) & 0xff) << 8) | (seg.get(i + 3) & 0xff);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (i + 9 > seg.limit()) { segStart = pos; seg = readAt(ch, pos, 16, BUFFERS.get()[0]); i = 0; }
                if (seg.limit() >= i + 9) {
                    height = ((seg.get(i + 5) & 0xff) << 8) | (seg.get(i + 6) & 0xff);
                    width = ((seg.get(i + 7) & 0xff) << 8) | (seg.get(i + 8) & 0xff);
                }
                break;
            }
            if (marker == 0xDA || length < 2) break; // scan data before any frame header
            pos += 2 + length;
        }
        String problem = null;
        if (width <= 0 || height <= 0) problem = "damaged JPEG: no readable frame header";
        else if (!endsWith(ch, size, (byte) 0xFF, (byte) 0xD9)) problem = "truncated: no JPEG end-of-image marker";
        return new ImageHeader("jpeg", width, height, size, problem);
    }

    private static ImageHeader png(SeekableByteChannel ch, long size, ByteBuffer head) throws IOException {
        if (head.limit() < 24 || head.getInt(12) != 0x49484452) { // "IHDR"
            return new ImageHeader("png", -1, -1, size, "damaged PNG: no IHDR header");
        }
        int width = head.getInt(16), height = head.getInt(20);
        ByteBuffer tail = readAt(ch, Math.max(0, size - 12), (int) Math.min(size, 12), BUFFERS.get()[1]);
        boolean iend = tail.limit() == 12 && tail.getInt(4) == 0x49454E44; // "IEND"
        return new ImageHeader("png", width, height, size, iend ? null : "truncated: no PNG IEND chunk");
    }

    /** Whether the two marker bytes appear in the last 1 KB (some writers append a few bytes after EOI). */
    private static boolean endsWith(SeekableByteChannel ch, long size, byte a, byte b) throws IOException {
        int n = (int) Math.min(size, 1024);
        ByteBuffer tail = readAt(ch, size - n, n, BUFFERS.get()[1]);
        for (int i = tail.limit() - 2; i >= 0; i--) {
            if (tail.get(i) == a && tail.get(i + 1) == b) return true;
        }
        return false;
    }

    /**
     * Each thread's two read buffers, reused for every file it checks: the window the walk reads (a file's
     * first bytes, then its segments) and the tail. A header is done with before the next read into them.
     */
    private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[] {
            ByteBuffer.allocate(WINDOW).order(ByteOrder.BIG_ENDIAN), ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN)});

    private static ByteBuffer readAt(SeekableByteChannel ch, long pos, int n, ByteBuffer into) throws IOException {
        ByteBuffer b = into.clear().limit(n);
        ch.position(pos);
        while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
        b.flip();
        return b;
    }

    /** A byte array read as a channel, so that a header in memory is parsed by the very code that parses files. */
    private static final class BytesChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private int position;

        BytesChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) return -1;
            int n = Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(newPosition, bytes.length);
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    private static int u16le(ByteBuffer b, int at) {
        if (b.limit() < at + 2) return -1;
        return (b.get(at) & 0xff) | ((b.get(at + 1) & 0xff) << 8);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %dx%d, %d bytes%s", format, width, height, bytes, problem == null ? "" : " (" + problem + ")");
    }
}
