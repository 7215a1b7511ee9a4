package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Padding;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: inception_bn}: BN-Inception's module (Ioffe & Szegedy 2015, table/figure 5), one row of the
 * table: {@code 1x1 | 3x3_reduce -> 3x3 | dbl_3x3_reduce -> 3x3 -> 3x3 | pool -> pool_proj}. With
 * {@code stride: 2} (3c, 4e) there is no 1x1 branch, the last convolution of each conv branch has stride 2,
 * and the pool (max, 3x3/2) passes through without projection. Vertex names follow TF-slim's branches.
 */
public record InceptionV2Module(
        @JsonProperty("1x1") Integer n1x1,
        @JsonProperty(value = "3x3_reduce", required = true) Integer n3x3Reduce,
        @JsonProperty(value = "3x3", required = true) Integer n3x3,
        @JsonProperty(value = "dbl_3x3_reduce", required = true) Integer dblReduce,
        @JsonProperty(value = "dbl_3x3", required = true) Integer dbl,
        @JsonProperty(required = true) Pool pool,
        @JsonProperty("pool_proj") Integer poolProj,
        Integer stride) implements Block {

    public enum Pool { AVG, MAX }

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        int s = stride == null ? 1 : stride;
        if (s == 1 && (n1x1 == null || poolProj == null)) {
            throw ctx.error(null, "a stride-1 module needs '1x1' and 'pool_proj'");
        }
        if (s == 2 && (n1x1 != null || poolProj != null)) {
            throw ctx.error(null, "a stride-2 module has no '1x1' branch and no 'pool_proj' (the pool passes through)");
        }
        List<Node> parts = new ArrayList<>();
        if (s == 1) parts.add(conv(ctx, "Branch_0/1x1", n1x1, 1, 1, in));
        parts.add(conv(ctx, "Branch_1/3x3", n3x3, 3, s, conv(ctx, "Branch_1/3x3_reduce", n3x3Reduce, 1, 1, in)));
        Node d = conv(ctx, "Branch_2/dbl_3x3_reduce", dblReduce, 1, 1, in);
        d = conv(ctx, "Branch_2/dbl_3x3a", dbl, 3, 1, d);
        parts.add(conv(ctx, "Branch_2/dbl_3x3b", dbl, 3, s, d));
        Node p = pool == Pool.MAX
                ? new MaxPool(List.of(3), List.of(s), Padding.SAME).build(ctx.part("Branch_3/pool"), List.of(in))
                : new AvgPool(List.of(3), List.of(s), Padding.SAME, false, null).build(ctx.part("Branch_3/pool"), List.of(in));
        parts.add(s == 1 ? conv(ctx, "Branch_3/pool_proj", poolProj, 1, 1, p) : p);
        return Branches.concat(ctx, null, parts);
    }

    private static Node conv(BlockContext ctx, String part, int filters, int kernel, int stride, Node in) {
        return new Conv(filters, List.of(kernel), List.of(stride), null, null, null, null, null, null).build(ctx.part(part), List.of(in));
    }
}
