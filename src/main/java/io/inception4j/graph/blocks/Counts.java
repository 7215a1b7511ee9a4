package io.inception4j.graph.blocks;

import io.inception4j.graph.BlockContext;

/**
 * Keys that count something a block needs at least one of (filters, units, depth multiplier, pooled size).
 * Several blocks share each of them; checking them here gives every block that has the key the same check and
 * the same words, instead of one block checking and its sibling handing DL4J a zero.
 */
final class Counts {
    private Counts() {}

    /** {@code value}, or {@code absent} when the key is not given; at least 1, or a config error at {@code key}. */
    static int atLeastOne(BlockContext ctx, String key, Integer value, int absent) {
        int v = value == null ? absent : value;
        if (v < 1) throw ctx.error(key, "expected at least 1, got " + v);
        return v;
    }
}
