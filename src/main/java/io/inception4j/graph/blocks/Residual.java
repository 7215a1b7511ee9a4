package io.inception4j.graph.blocks;

import io.inception4j.config.Activation;
import io.inception4j.config.BlockSpec;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: residual}: {@code activation(shortcut(x) + scale * r)} where r is the concatenation of
 * {@code branches} (Inception-ResNet: Block35/17/8) or one chain, optionally followed by a linear 1x1
 * convolution with bias back to the shortcut's width ({@code up: true}, Inception-ResNet's "up" projection;
 * the width comes from the shape, never from the config). {@code shortcut} is a chain of blocks on the
 * identity path (Xception's strided 1x1 + BN); default: the identity. {@code activation: linear} gives the
 * block without final activation (Inception-ResNet-v2's last Block8).
 */
public record Residual(List<List<BlockSpec>> branches, Boolean up, Double scale, List<BlockSpec> shortcut,
                       Activation activation) implements Block {

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        if (branches == null || branches.isEmpty()) throw ctx.error(null, "missing required key 'branches'");
        List<Node> outs = new ArrayList<>();
        for (int b = 0; b < branches.size(); b++) {
            Node x = in;
            for (int r = 0; r < branches.get(b).size(); r++) x = ctx.build(branches.get(b).get(r), "b" + b + "_" + r, List.of(x));
            outs.add(x);
        }
        Node residual = outs.size() == 1 ? outs.get(0) : Branches.concat(ctx, "concat", outs);

        Node identity = in;
        List<BlockSpec> sc = shortcut == null ? List.of() : shortcut;
        for (int i = 0; i < sc.size(); i++) identity = ctx.build(sc.get(i), "shortcut" + i, List.of(identity));

        if (up == null || up) {
            residual = ctx.layer("up", Dl4j.conv(ctx, new ConvolutionLayer.Builder(1, 1)
                    .nOut(identity.channels()).hasBias(true)
                    .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
                    .activation(Dl4j.activation(Activation.LINEAR))
                    .weightInit(Dl4j.init(ctx.defaults().conv().init()))), residual);
        }
        if (scale != null && scale != 1.0) residual = ctx.vertex("scale", new ScaleVertex(scale), residual);
        if (!residual.shape().equals(identity.shape())) {
            throw ctx.shapeError(null, "the residual " + residual.shape() + " and the shortcut " + identity.shape()
                    + " differ; set up: true or give the shortcut a projection");
        }
        Node sum = ctx.vertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), identity, residual);
        Activation act = activation == null ? Activation.RELU : activation;
        if (act == Activation.LINEAR) return sum;
        return ctx.layer(act.name().toLowerCase(), Dl4j.activationLayer(ctx, act), sum);
    }
}
