package io.inception4j.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * Labelled image files, held compactly: each file's path relative to the dataset's folder as UTF-8 bytes,
 * front-coded (an entry keeps only what differs from the entry before it: sorted names in one folder share
 * most of their bytes), with a full name every {@value #BLOCK} entries to start decoding from, and a 16-bit
 * label where the classes allow. ImageNet's names ({@code train/n01440764/n01440764_10026.JPEG}) then cost
 * about 12 bytes an entry, 15 MB for its 1.28 M, where a {@link Sample} with its {@link Path} costs about
 * 600 and the names in full 45: the index is a small part of what a run holds, whatever the set's size. A
 * {@link Sample} is made when an entry is read. Views ({@link #select}) share the storage and add 4 bytes per
 * entry (a {@link #range} of the whole list none): the splits are views of the index.
 */
public final class SampleList extends AbstractList<Sample> implements RandomAccess {
    /** Entries per block: a read decodes at most this many names, each a few bytes. */
    static final int BLOCK = 32;

    private final Path root;
    private final Storage storage;
    /** The entries of this list, by number; null: entries {@code first} to {@code first + count - 1}. */
    private final int[] view;
    private final int first, count;

    /**
     * The shared, immutable entries. Block b starts at {@code bytes[blocks[b]]} with its first name in full
     * (length, bytes); every further entry is (bytes shared with the name before, length of the rest, the rest),
     * lengths as unsigned LEB128 varints.
     */
    private record Storage(byte[] bytes, int[] blocks, char[] labels16, int[] labels32, int longestName) {
        int label(int e) {
            return labels16 != null ? labels16[e] : labels32[e];
        }

        String name(int e) {
            byte[] name = new byte[longestName];
            int[] at = {blocks[e / BLOCK]};
            int len = varint(at);
            System.arraycopy(bytes, at[0], name, 0, len);
            at[0] += len;
            for (int k = e % BLOCK; k > 0; k--) {
                int shared = varint(at), rest = varint(at);
                System.arraycopy(bytes, at[0], name, shared, rest);
                at[0] += rest;
                len = shared + rest;
            }
            return new String(name, 0, len, StandardCharsets.UTF_8);
        }

        private int varint(int[] at) {
            int v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[at[0]++];
                v |= (b & 0x7f) << shift;
                if (b >= 0) return v;
            }
        }
    }

    private SampleList(Path root, Storage storage, int[] view, int first, int count) {
        this.root = root;
        this.storage = storage;
        this.view = view;
        this.first = first;
        this.count = view == null ? count : view.length;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public Sample get(int i) {
        int e = entry(i);
        return new Sample(root.resolve(storage.name(e)), storage.label(e));
    }

    /** The label of element {@code i}, without making its Sample. */
    public int label(int i) {
        return storage.label(entry(i));
    }

    private int entry(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("index " + i + " of " + count);
        return view == null ? first + i : view[i];
    }

    /** The elements at {@code positions} of this list, in that order: a view sharing this list's storage. */
    public SampleList select(int[] positions) {
        int[] entries = new int[positions.length];
        for (int i = 0; i < positions.length; i++) entries[i] = entry(positions[i]);
        return new SampleList(root, storage, entries, 0, 0);
    }

    /** Elements {@code from} (inclusive) to {@code to} (exclusive) as a view sharing this list's storage. */
    public SampleList range(int from, int to) {
        if (from < 0 || to > count || from > to) throw new IndexOutOfBoundsException("range " + from + ".." + to + " of " + count);
        if (view == null) return new SampleList(root, storage, null, first + from, to - from);
        return select(java.util.stream.IntStream.range(from, to).toArray());
    }

    /**
     * The elements of {@code lists}, views of one index (the splits), one after another: a view too. Ranges that
     * follow one another (a layout's own splits: train, then val, then test) make one range, with no array of
     * entries (4 bytes an entry: 4 MB for a million, held as long as the view).
     */
    public static SampleList concat(SampleList first, SampleList... more) {
        int n = first.size();
        boolean adjacent = first.view == null;
        int end = first.first + first.count;
        for (SampleList l : more) {
            if (l.storage != first.storage) throw new IllegalArgumentException("views of different indexes");
            n += l.size();
            if (l.size() > 0) {
                adjacent &= l.view == null && l.first == end;
                end = l.first + l.count;
            }
        }
        if (adjacent) return new SampleList(first.root, first.storage, null, first.first, n);
        int[] entries = new int[n];
        int k = 0;
        for (int i = 0; i < first.size(); i++) entries[k++] = first.entry(i);
        for (SampleList l : more) for (int i = 0; i < l.size(); i++) entries[k++] = l.entry(i);
        return new SampleList(first.root, first.storage, entries, 0, 0);
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Collects entries in order; {@link #build} trims the arrays to size. */
    public static final class Builder {
        private final Path root;
        /** The root as text with its trailing separator: what a file under it starts with. */
        private final String rootPrefix;
        private byte[] bytes = new byte[1 << 12];
        private int[] blocks = new int[16];
        private int[] labels = new int[256];
        private byte[] previous = new byte[0];
        private int size, used, longest, maxLabel;

        private Builder(Path root) {
            this.root = root;
            String r = root.toString(), sep = root.getFileSystem().getSeparator();
            this.rootPrefix = r.isEmpty() ? "" : r.endsWith(sep) ? r : r + sep;
        }

        /** Adds {@code file} (stored relative to the root when under it) with {@code label}. */
        public Builder add(Path file, int label) {
            if (label < 0) throw new IllegalArgumentException("label " + label);
            // The name as text cut after the root's: Path.relativize made about a kilobyte of garbage per file
            // (a million files: a gigabyte while the index was built, which grew the heap for the rest of the run).
            String path = file.toString();
            boolean under = path.length() > rootPrefix.length() && path.startsWith(rootPrefix) && file.startsWith(root);
            byte[] name = (under ? path.substring(rootPrefix.length()) : path).getBytes(StandardCharsets.UTF_8);
            if (size % BLOCK == 0) {
                if (size / BLOCK == blocks.length) blocks = Arrays.copyOf(blocks, blocks.length * 2);
                blocks[size / BLOCK] = used;
                varint(name.length);
                put(name, 0, name.length);
            } else {
                int shared = 0, max = Math.min(name.length, previous.length);
                while (shared < max && name[shared] == previous[shared]) shared++;
                varint(shared);
                varint(name.length - shared);
                put(name, shared, name.length - shared);
            }
            if (size == labels.length) labels = Arrays.copyOf(labels, labels.length * 2);
            labels[size++] = label;
            maxLabel = Math.max(maxLabel, label);
            longest = Math.max(longest, name.length);
            previous = name;
            return this;
        }

        private void varint(int v) {
            while (true) {
                ensure(1);
                if ((v & ~0x7f) == 0) {
                    bytes[used++] = (byte) v;
                    return;
                }
                bytes[used++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
        }

        private void put(byte[] b, int from, int n) {
            ensure(n);
            System.arraycopy(b, from, bytes, used, n);
            used += n;
        }

        private void ensure(int n) {
            if (used + n <= bytes.length) return;
            long grown = Math.max((long) bytes.length * 2, (long) used + n);
            if (grown > Integer.MAX_VALUE - 8) throw new IllegalStateException("more than 2 GB of file names in one dataset");
            bytes = Arrays.copyOf(bytes, (int) grown);
        }

        public int size() {
            return size;
        }

        public SampleList build() {
            char[] labels16 = null;
            int[] labels32 = null;
            if (maxLabel <= Character.MAX_VALUE) {
                labels16 = new char[size];
                for (int i = 0; i < size; i++) labels16[i] = (char) labels[i];
            } else {
                labels32 = Arrays.copyOf(labels, size);
            }
            Storage s = new Storage(Arrays.copyOf(bytes, used), Arrays.copyOf(blocks, (size + BLOCK - 1) / BLOCK), labels16, labels32, longest);
            return new SampleList(root, s, null, 0, size);
        }
    }
}
