package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Padding;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.List;

/**
 * {@code type: inception}: GoogLeNet's Inception module (Szegedy et al. 2014, figure 2b), one row of the
 * paper's table 1: {@code 1x1 | 3x3_reduce -> 3x3 | 5x5_reduce -> 5x5 | maxpool 3x3/1 -> pool_proj},
 * concatenated. Convolutions follow the model's defaults (bvlc_googlenet: bias, ReLU). The 5x5 branch is a
 * true 5x5, as in the paper and Caffe; {@code 5x5_kernel: 3} builds torchvision's variant, whose "5x5" branch is
 * a 3x3 (a slip kept for its published weights). Vertex names are Caffe's:
 * {@code inception_3a/1x1}, {@code .../3x3_reduce}, {@code .../pool_proj}, {@code .../output}.
 */
public record InceptionV1Module(
        @JsonProperty(value = "1x1", required = true) Integer n1x1,
        @JsonProperty(value = "3x3_reduce", required = true) Integer n3x3Reduce,
        @JsonProperty(value = "3x3", required = true) Integer n3x3,
        @JsonProperty(value = "5x5_reduce", required = true) Integer n5x5Reduce,
        @JsonProperty(value = "5x5", required = true) Integer n5x5,
        @JsonProperty(value = "pool_proj", required = true) Integer poolProj,
        @JsonProperty("5x5_kernel") Integer kernel5x5) implements Block {

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Node b1 = conv(ctx, "1x1", n1x1, 1, in);
        Node b2 = conv(ctx, "3x3", n3x3, 3, conv(ctx, "3x3_reduce", n3x3Reduce, 1, in));
        int k5 = kernel5x5 == null ? 5 : kernel5x5;
        if (k5 != 3 && k5 != 5) throw ctx.error("5x5_kernel", "expected 5 (the paper) or 3 (torchvision), got " + k5);
        Node b3 = conv(ctx, "5x5", n5x5, k5, conv(ctx, "5x5_reduce", n5x5Reduce, 1, in));
        Node pool = MaxPool.of(3, 1, Padding.SAME).build(ctx.part("pool"), List.of(in));
        Node b4 = conv(ctx, "pool_proj", poolProj, 1, pool);
        return Branches.concat(ctx, "output", List.of(b1, b2, b3, b4));
    }

    private static Node conv(BlockContext ctx, String part, int filters, int kernel, Node in) {
        return Conv.of(filters, kernel).build(ctx.part(part), List.of(in));
    }
}
