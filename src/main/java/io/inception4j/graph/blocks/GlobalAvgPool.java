package io.inception4j.graph.blocks;

import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;

import java.util.List;

/**
 * {@code type: global_avgpool}: the mean over all positions (HxWxC to C). The papers' "avgpool 7x7" at
 * 224 px; global, so the same network takes other input sizes.
 */
public record GlobalAvgPool() implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        if (in.isImage() && (in.height() != 1 || in.width() != 1)) {
            ctx.note("global " + in.height() + "x" + in.width());
        }
        return ctx.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in);
    }
}
