package io.inception4j.graph;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The replacements for stock DL4J code paths that {@code train.fast_paths} switches on, one by one so that
 * each one's share of the speed-up can be measured ({@code bench --fast-paths}; results/bench/README.md).
 */
public enum FastPath {
    /** Local response normalisation in native ops with the exact gradient ({@link io.inception4j.graph.layers.FastLrn}). */
    LRN,
    /** Batch-norm statistics and backward pass without DL4J's slow reductions ({@link io.inception4j.graph.layers.FastBatchNorm}). */
    BATCHNORM,
    /** ReLU layers and ReLU gradients without copies or libnd4j's slow {@code relu_bp}. */
    RELU,
    /** Convolutions keep their pre-activation from the forward pass instead of convolving again in backward (DL4J's CacheMode.DEVICE). */
    CACHE,
    /**
     * Max pooling on whichever of oneDNN's kernel and libnd4j's own loops is faster for each shape, timed on
     * first use ({@link io.inception4j.graph.layers.FastMaxPool}).
     */
    POOL,
    /**
     * Depthwise separable convolutions as oneDNN's depthwise and 1x1 convolutions instead of libnd4j's
     * {@code sconv2d}, which has no oneDNN version ({@link io.inception4j.graph.layers.FastSeparableConv}).
     */
    SEPCONV,
    /**
     * In NHWC networks ({@code model.layout: nhwc}), convolutions call oneDNN on the NHWC activations directly
     * instead of through DL4J's layer, which copies them to NCHW first ({@link io.inception4j.graph.layers.FastConv}).
     */
    CONV;

    public static Set<FastPath> all() {
        return EnumSet.allOf(FastPath.class);
    }

    public static Set<FastPath> none() {
        return EnumSet.noneOf(FastPath.class);
    }

    /** "all", "none", or names separated by commas (lrn,batchnorm,relu,cache,pool,sepconv,conv). */
    public static Set<FastPath> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("all") || t.equals("true")) return all();
        if (t.equals("none") || t.equals("false")) return none();
        Set<FastPath> set = none();
        for (String name : t.split(",")) {
            try {
                set.add(valueOf(name.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fast path '" + name.strip() + "': expected all, none, or some of "
                        + String.join(",", java.util.Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList()));
            }
        }
        return set;
    }
}
