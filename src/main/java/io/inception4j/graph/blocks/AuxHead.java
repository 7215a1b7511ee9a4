package io.inception4j.graph.blocks;

import io.inception4j.config.BlockSpec;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/**
 * {@code type: aux_head}: an auxiliary classifier (GoogLeNet's loss1/loss2, Inception v3's AuxLogits): its
 * {@code blocks} in order, then a classifier {@code <id>/classifier} whose loss is scaled by {@code weight}
 * (default: the model's {@code aux_weight}). Used in training only: {@code aux: false} leaves it out, and
 * export removes it.
 */
public record AuxHead(Double weight, List<BlockSpec> blocks) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node x = ctx.single(inputs);
        List<BlockSpec> body = blocks == null ? List.of() : blocks;
        for (int i = 0; i < body.size(); i++) {
            x = ctx.build(body.get(i), "b" + i, List.of(x));
        }
        double w = weight == null ? ctx.model().auxWeight() : weight;
        return new Output(w, null).classifier(ctx.part("classifier"), x, w, true);
    }
}
