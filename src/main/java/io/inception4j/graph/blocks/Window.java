package io.inception4j.graph.blocks;

import io.inception4j.config.Padding;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/**
 * A kernel and stride, each written as one number (square) or [height, width] (asymmetric, e.g. 1x7),
 * and the check that a valid-padded window fits its input.
 */
record Window(int kh, int kw, int sh, int sw, Padding padding) {

    static Window of(BlockContext ctx, List<Integer> kernel, List<Integer> stride, Padding padding) {
        int[] k = pair(ctx, "kernel", kernel, null);
        int[] s = pair(ctx, "stride", stride, 1);
        return new Window(k[0], k[1], s[0], s[1], padding);
    }

    private static int[] pair(BlockContext ctx, String key, List<Integer> v, Integer dflt) {
        if (v == null) {
            if (dflt == null) throw ctx.error(null, "missing required key '" + key + "'");
            return new int[] {dflt, dflt};
        }
        if (v.isEmpty() || v.size() > 2 || v.stream().anyMatch(x -> x == null || x < 1)) {
            throw ctx.error(key, "expected a positive whole number or [height, width], got " + v);
        }
        return v.size() == 1 ? new int[] {v.get(0), v.get(0)} : new int[] {v.get(0), v.get(1)};
    }

    int[] kernel() {
        return new int[] {kh, kw};
    }

    int[] stride() {
        return new int[] {sh, sw};
    }

    /** With valid padding the window must fit inside its input. */
    void checkFits(BlockContext ctx, Node in) {
        if (padding == Padding.VALID && (kh > in.height() || kw > in.width())) {
            throw ctx.shapeError("kernel", "kernel " + kh + "x" + kw + " is larger than its "
                    + in.height() + "x" + in.width() + " input");
        }
    }

    @Override
    public String toString() {
        return kh + "x" + kw + (sh == 1 && sw == 1 ? "" : "/" + (sh == sw ? String.valueOf(sh) : sh + "x" + sw));
    }
}
