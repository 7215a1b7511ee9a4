package io.inception4j.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * Labelled image files, held compactly: each file's path relative to the dataset's folder as UTF-8 bytes in
 * one shared array, with an offset and a label per entry, so an entry costs its name's length plus 8 bytes of
 * heap (ImageNet's 1.28 M training files, names like {@code n01440764/n01440764_10026.JPEG}: about 50 MB)
 * instead of a {@link Sample} with its {@link Path} (about 600 bytes). A {@link Sample} is made when an entry
 * is read. Views ({@link #select}) share the storage and add 4 bytes per entry: the splits are views of the
 * index.
 */
public final class SampleList extends AbstractList<Sample> implements RandomAccess {
    private final Path root;
    private final byte[] names;
    /** Entry e's name is names[offsets[e], offsets[e + 1]). */
    private final int[] offsets;
    private final int[] labels;
    /** The entries of this list, by number; null: every entry, in order. */
    private final int[] view;

    private SampleList(Path root, byte[] names, int[] offsets, int[] labels, int[] view) {
        this.root = root;
        this.names = names;
        this.offsets = offsets;
        this.labels = labels;
        this.view = view;
    }

    @Override
    public int size() {
        return view == null ? labels.length : view.length;
    }

    @Override
    public Sample get(int i) {
        int e = entry(i);
        return new Sample(root.resolve(new String(names, offsets[e], offsets[e + 1] - offsets[e], StandardCharsets.UTF_8)), labels[e]);
    }

    /** The label of element {@code i}, without making its Sample. */
    public int label(int i) {
        return labels[entry(i)];
    }

    private int entry(int i) {
        if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("index " + i + " of " + size());
        return view == null ? i : view[i];
    }

    /** The elements at {@code positions} of this list, in that order: a view sharing this list's storage. */
    public SampleList select(int[] positions) {
        int[] entries = new int[positions.length];
        for (int i = 0; i < positions.length; i++) entries[i] = entry(positions[i]);
        return new SampleList(root, names, offsets, labels, entries);
    }

    /** Elements {@code from} (inclusive) to {@code to} (exclusive) as a view sharing this list's storage. */
    public SampleList range(int from, int to) {
        int[] positions = new int[to - from];
        for (int i = from; i < to; i++) positions[i - from] = i;
        return select(positions);
    }

    /** The elements of {@code lists}, views of one index (the splits), one after another: a view too. */
    public static SampleList concat(SampleList first, SampleList... more) {
        int n = first.size();
        for (SampleList l : more) {
            if (l.names != first.names) throw new IllegalArgumentException("views of different indexes");
            n += l.size();
        }
        int[] entries = new int[n];
        int k = 0;
        for (int i = 0; i < first.size(); i++) entries[k++] = first.entry(i);
        for (SampleList l : more) for (int i = 0; i < l.size(); i++) entries[k++] = l.entry(i);
        return new SampleList(first.root, first.names, first.offsets, first.labels, entries);
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Collects entries in order; {@link #build} trims the arrays to size. */
    public static final class Builder {
        private final Path root;
        private byte[] names = new byte[1 << 12];
        private int[] offsets = new int[257];
        private int[] labels = new int[256];
        private int size, used;

        private Builder(Path root) {
            this.root = root;
        }

        /** Adds {@code file} (stored relative to the root when under it) with {@code label}. */
        public Builder add(Path file, int label) {
            byte[] name = (file.startsWith(root) ? root.relativize(file) : file).toString().getBytes(StandardCharsets.UTF_8);
            if (used + name.length > names.length) {
                long grown = Math.max((long) names.length * 2, (long) used + name.length);
                if (grown > Integer.MAX_VALUE - 8) throw new IllegalStateException("more than 2 GB of file names in one dataset");
                names = Arrays.copyOf(names, (int) grown);
            }
            if (size + 1 >= labels.length) {
                labels = Arrays.copyOf(labels, labels.length * 2);
                offsets = Arrays.copyOf(offsets, labels.length + 1);
            }
            System.arraycopy(name, 0, names, used, name.length);
            used += name.length;
            labels[size] = label;
            offsets[++size] = used;
            return this;
        }

        public int size() {
            return size;
        }

        public SampleList build() {
            return new SampleList(root, Arrays.copyOf(names, used), Arrays.copyOf(offsets, size + 1), Arrays.copyOf(labels, size), null);
        }
    }
}
