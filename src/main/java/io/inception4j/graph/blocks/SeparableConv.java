package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Activation;
import io.inception4j.config.Defaults;
import io.inception4j.config.Padding;
import io.inception4j.config.TensorLayout;
import io.inception4j.config.WeightInit;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.Node;
import io.inception4j.graph.layers.FastSeparableConv;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

import java.util.List;

/**
 * {@code type: separable_conv}: a depthwise convolution ({@code depth_multiplier} filters per input channel)
 * followed by a 1x1 pointwise convolution to {@code filters}, in one DL4J layer; then BN and activation as
 * for {@code conv}. Xception's SeparableConv2D; BN-Inception's 7x7 stem (depth multiplier 8).
 */
public record SeparableConv(
        @JsonProperty(required = true) Integer filters,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> kernel,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> stride,
        Integer depthMultiplier, Padding padding, Boolean bias, Boolean bn, Activation activation, WeightInit init) implements Block {

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Defaults.Conv d = ctx.defaults().conv();
        Window w = Window.of(ctx, kernel, stride, padding != null ? padding : d.padding());
        w.checkFits(ctx, in);
        int mult = Counts.atLeastOne(ctx, "depth_multiplier", depthMultiplier, 1);
        Counts.atLeastOne(ctx, "filters", filters, 0);
        boolean withBn = bn != null ? bn : d.bn();
        Activation act = activation != null ? activation : d.activation();
        var layer = new SeparableConvolution2D.Builder(w.kernel(), w.stride())
                .depthMultiplier(mult)
                .nOut(ctx.scaled(filters))
                .convolutionMode(Dl4j.mode(w.padding()))
                .hasBias(bias != null ? bias : d.bias())
                .activation(Dl4j.activation(ctx, withBn ? Activation.LINEAR : act))
                .weightInit(Dl4j.init(init != null ? init : d.init()));
        if (ctx.layout() == TensorLayout.NHWC && !ctx.fastPath(FastPath.SEPCONV)) {
            // Found by FastLayersTest: DL4J M2.1's own layer returns a permuted view in NHWC, which DL4J's oneDNN
            // batch norm then reads as if it were laid out plainly (wrong outputs, no error).
            throw ctx.error(null, "with model.layout: nhwc, separable convolutions need the sepconv fast path"
                    + " (DL4J's own layer hands the next layer an NHWC view that DL4J's oneDNN batch norm misreads);"
                    + " add sepconv to train.fast_paths, or set model.layout=nchw");
        }
        Node out = ctx.layer(ctx.fastPath(FastPath.SEPCONV) ? new FastSeparableConv(layer) : layer.build(), in);
        if (withBn) out = Conv.batchNormThenActivation(ctx, out, act);
        return out;
    }
}
