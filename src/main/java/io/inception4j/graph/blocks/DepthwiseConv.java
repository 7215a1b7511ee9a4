package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.inception4j.config.Activation;
import io.inception4j.config.Defaults;
import io.inception4j.config.Padding;
import io.inception4j.config.WeightInit;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;

import java.util.List;

/** {@code type: depthwise_conv}: one (or {@code depth_multiplier}) filter per input channel, no mixing. */
public record DepthwiseConv(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> kernel,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> stride,
        Integer depthMultiplier, Padding padding, Boolean bias, Activation activation, WeightInit init) implements Block {

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Defaults.Conv d = ctx.defaults().conv();
        Window w = Window.of(ctx, kernel, stride, padding != null ? padding : d.padding());
        w.checkFits(ctx, in);
        int mult = Counts.atLeastOne(ctx, "depth_multiplier", depthMultiplier, 1);
        return ctx.layer(new DepthwiseConvolution2D.Builder(w.kernel(), w.stride())
                .depthMultiplier(mult)
                .nOut((long) in.channels() * mult)
                .convolutionMode(Dl4j.mode(w.padding()))
                .hasBias(bias != null ? bias : d.bias())
                .activation(Dl4j.activation(ctx, activation != null ? activation : Activation.LINEAR))
                .weightInit(Dl4j.init(init != null ? init : d.init()))
                .build(), in);
    }
}
