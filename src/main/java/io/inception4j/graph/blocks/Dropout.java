package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;

import java.util.List;

/**
 * {@code type: dropout}: drops each activation with probability {@code rate} while training (the papers'
 * convention: GoogLeNet's "dropout 0.4" drops 40%). Rate 0 adds nothing.
 */
public record Dropout(@JsonProperty(required = true) Double rate) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        if (rate < 0 || rate >= 1) throw ctx.error("rate", "expected a drop probability in [0, 1), got " + rate);
        if (rate == 0) return in;
        // DL4J's Dropout takes the probability of keeping an activation.
        return ctx.layer(new DropoutLayer.Builder().dropOut(new org.deeplearning4j.nn.conf.dropout.Dropout(1 - rate))
                .build(), in);
    }
}
