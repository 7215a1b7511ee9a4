package io.inception4j.graph.blocks;

import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.Node;
import io.inception4j.graph.layers.FastLrn;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;

import java.util.List;

/**
 * {@code type: lrn}: local response normalisation across channels, with Caffe's parameters and meaning:
 * {@code b = a / (k + alpha/size * sum of a^2 over size channels)^beta}. Defaults are bvlc_googlenet's
 * (size 5, alpha 1e-4, beta 0.75, k 1).
 */
public record Lrn(Integer size, Double alpha, Double beta, Double k) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        int n = size == null ? 5 : size;
        if (n < 1 || n % 2 == 0) throw ctx.error("size", "expected an odd number of channels, got " + n);
        double a = alpha == null ? 1e-4 : alpha;
        // DL4J computes k + alpha * sum (no division by size); Caffe divides alpha by the window size.
        double b = beta == null ? 0.75 : beta, bias = k == null ? 1.0 : k;
        LocalResponseNormalization layer = ctx.fastPath(FastPath.LRN) ? new FastLrn(n, bias, a / n, b)
                : new LocalResponseNormalization.Builder().n(n).alpha(a / n).beta(b).k(bias).build();
        return ctx.layer(layer, ctx.single(inputs));
    }
}
