package io.inception4j.graph.blocks;

import io.inception4j.config.Padding;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/**
 * A kernel and stride, each written as one number (square) or [height, width] (asymmetric, e.g. 1x7), the
 * border treatment (same, valid, or explicit zeros on each side: ph, pw), and the check that the window fits
 * its input.
 */
record Window(int kh, int kw, int sh, int sw, Padding padding, int ph, int pw) {

    Window(int kh, int kw, int sh, int sw, Padding padding) {
        this(kh, kw, sh, sw, padding, 0, 0);
    }

    static Window of(BlockContext ctx, List<Integer> kernel, List<Integer> stride, Padding padding) {
        int[] k = pair(ctx, "kernel", kernel, null, 1);
        int[] s = pair(ctx, "stride", stride, 1, 1);
        return new Window(k[0], k[1], s[0], s[1], padding);
    }

    /** The same window with explicit zero padding (DL4J's Truncate mode with pads). */
    Window padded(int[] pad) {
        return new Window(kh, kw, sh, sw, Padding.VALID, pad[0], pad[1]);
    }

    static int[] pair(BlockContext ctx, String key, List<Integer> v, Integer dflt, int min) {
        if (v == null) {
            if (dflt == null) throw ctx.error(null, "missing required key '" + key + "'");
            return new int[] {dflt, dflt};
        }
        if (v.isEmpty() || v.size() > 2 || v.stream().anyMatch(x -> x == null || x < min)) {
            throw ctx.error(key, "expected a " + (min > 0 ? "positive" : "non-negative") + " whole number or [height, width], got " + v);
        }
        return v.size() == 1 ? new int[] {v.get(0), v.get(0)} : new int[] {v.get(0), v.get(1)};
    }

    int[] kernel() {
        return new int[] {kh, kw};
    }

    int[] stride() {
        return new int[] {sh, sw};
    }

    int[] explicitPad() {
        return new int[] {ph, pw};
    }

    /** {@code same} keeps ceil(in / stride); {@code valid} and explicit pads are DL4J's Truncate. */
    org.deeplearning4j.nn.conf.ConvolutionMode mode() {
        return Dl4j.mode(padding);
    }

    /** With valid (or explicit) padding the window must fit inside its padded input. */
    void checkFits(BlockContext ctx, Node in) {
        if (padding == Padding.VALID && (kh > in.height() + 2 * ph || kw > in.width() + 2 * pw)) {
            throw ctx.shapeError("kernel", "kernel " + kh + "x" + kw + " is larger than its "
                    + in.height() + "x" + in.width() + " input" + (ph + pw > 0 ? " padded by " + ph + "x" + pw : ""));
        }
    }

    @Override
    public String toString() {
        return kh + "x" + kw + (sh == 1 && sw == 1 ? "" : "/" + (sh == sw ? String.valueOf(sh) : sh + "x" + sw))
                + (ph + pw > 0 ? " pad " + (ph == pw ? String.valueOf(ph) : ph + "x" + pw) : "");
    }
}
