package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.inception4j.config.Padding;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.Node;
import io.inception4j.graph.layers.FastMaxPool;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.List;

/** {@code type: maxpool}: max pooling; padding defaults to the model's {@code defaults.conv.padding}. */
public record MaxPool(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> kernel,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> stride,
        Padding padding) implements Block {

    public static MaxPool of(int kernel, int stride, Padding padding) {
        return new MaxPool(List.of(kernel), List.of(stride), padding);
    }

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Window w = Window.of(ctx, kernel, stride, padding != null ? padding : ctx.defaults().conv().padding());
        w.checkFits(ctx, in);
        var layer = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, w.kernel(), w.stride())
                .convolutionMode(Dl4j.mode(w.padding()));
        return ctx.layer(ctx.fastPath(FastPath.POOL) ? new FastMaxPool(layer) : layer.build(), in);
    }
}
