package io.inception4j.weights;

import java.util.Arrays;

/** A named tensor read from a checkpoint: its shape and its values as float (whatever they were stored as). */
public record Tensor(String name, long[] shape, float[] values) {
    public long size() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
