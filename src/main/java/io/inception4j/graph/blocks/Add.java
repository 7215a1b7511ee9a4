package io.inception4j.graph.blocks;

import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;

import java.util.List;

/** {@code type: add}: the element-wise sum of the blocks named in {@code from} (all the same shape). */
public record Add() implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        if (inputs.size() < 2) throw ctx.error("from", "an add block sums two or more inputs; 'from' names " + inputs.size());
        for (Node n : inputs) {
            if (!n.shape().equals(inputs.get(0).shape())) {
                throw ctx.shapeError("from", "cannot add inputs of different shapes: "
                        + inputs.stream().map(x -> x.vertex() + " " + x.shape()).toList());
            }
        }
        return ctx.vertex(null, new ElementWiseVertex(ElementWiseVertex.Op.Add), inputs.toArray(Node[]::new));
    }
}
