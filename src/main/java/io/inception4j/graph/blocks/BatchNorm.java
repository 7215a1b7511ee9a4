package io.inception4j.graph.blocks;

import io.inception4j.config.Defaults;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;

import java.util.List;

/** {@code type: batchnorm}: batch normalisation on its own (eps and decay from {@code defaults.bn}). */
public record BatchNorm(Double eps, Double decay) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Defaults.BatchNorm d = ctx.defaults().bn();
        return ctx.layer(new BatchNormalization.Builder().eps(eps != null ? eps : d.eps())
                .decay(decay != null ? decay : d.decay()).build(), ctx.single(inputs));
    }
}
