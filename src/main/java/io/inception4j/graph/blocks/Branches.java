package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.BlockSpec;
import io.inception4j.config.TensorLayout;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import io.inception4j.graph.layers.ChannelConcat;
import org.deeplearning4j.nn.conf.graph.MergeVertex;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: branches}: parallel chains of blocks on the same input, concatenated by channel into the
 * block's own vertex. Each branch is a list of block rows; rows without an id are named
 * {@code b<branch>_<row>}. All branches must end at the same height and width.
 */
public record Branches(@JsonProperty(required = true) List<List<BlockSpec>> branches) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        if (branches.isEmpty()) throw ctx.error("branches", "expected at least one branch");
        List<Node> outs = new ArrayList<>();
        for (int b = 0; b < branches.size(); b++) {
            Node x = in;
            List<BlockSpec> chain = branches.get(b);
            for (int r = 0; r < chain.size(); r++) {
                x = ctx.build(chain.get(r), "b" + b + "_" + r, List.of(x));
            }
            outs.add(x);
        }
        return concat(ctx, null, outs);
    }

    /** Concatenates image nodes by channel, checking first that their heights and widths agree. */
    static Node concat(BlockContext ctx, String suffix, List<Node> parts) {
        Node first = parts.get(0);
        for (Node p : parts) {
            if (p.height() != first.height() || p.width() != first.width()) {
                throw ctx.shapeError(null, "branches end at different sizes and cannot be concatenated: "
                        + parts.stream().map(n -> n.vertex() + " " + n.shape()).toList());
            }
        }
        MergeVertex merge = ctx.layout() == TensorLayout.NHWC ? new ChannelConcat() : new MergeVertex();
        return ctx.vertex(suffix, merge, parts.toArray(Node[]::new));
    }
}
