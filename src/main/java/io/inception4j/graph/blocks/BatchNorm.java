package io.inception4j.graph.blocks;

import io.inception4j.config.Defaults;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/** {@code type: batchnorm}: batch normalisation on its own (eps and decay from {@code defaults.bn}). */
public record BatchNorm(Double eps, Double decay) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Defaults.BatchNorm d = ctx.defaults().bn();
        return ctx.layer(Dl4j.batchNorm(ctx, eps != null ? eps : d.eps(), decay != null ? decay : d.decay()), ctx.single(inputs));
    }
}
