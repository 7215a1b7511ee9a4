package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Activation;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/** {@code type: activation}: an activation on its own (Xception's ReLU before a separable convolution). */
public record Act(@JsonProperty(required = true) Activation function) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        if (function == Activation.LINEAR) return in;
        return ctx.layer(Dl4j.activationLayer(ctx, function), in);
    }
}
