package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Activation;
import io.inception4j.config.Defaults;
import io.inception4j.config.Padding;
import io.inception4j.config.WeightInit;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.Node;
import io.inception4j.graph.layers.FastBatchNorm;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;

import java.util.List;

/**
 * {@code type: conv}: a convolution, then (if {@code bn}) batch normalisation, then the activation.
 * Unset keys come from the model's {@code defaults.conv}. With BN the convolution has no bias unless asked:
 * BN's beta does that job. {@code pad: p} or {@code [ph, pw]} pads explicitly by that many zeros on each side
 * (PyTorch's {@code padding=}; e.g. torchvision's 7x7/2 stem pads 3 and 3, where {@code same} pads 2 and 3),
 * in place of {@code padding}. Vertices: {@code <id>}, {@code <id>/bn}, {@code <id>/<activation>} (a ReLU after BN is
 * part of {@code <id>/bn} with the fast paths on).
 */
public record Conv(
        @JsonProperty(required = true) Integer filters,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> kernel,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> stride,
        Padding padding,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> pad,
        Boolean bias,
        Boolean bn,
        Activation activation,
        WeightInit init) implements Block {

    /** A convolution with the model's defaults, for blocks that compose convolutions. */
    public static Conv of(int filters, int kernel) {
        return new Conv(filters, List.of(kernel), null, null, null, null, null, null, null);
    }

    /**
     * BN, then the activation: DL4J's BatchNormalization ignores its activation setting, so the activation is a
     * layer of its own ({@code <name>/<activation>} after {@code <name>/bn}), except a ReLU after our batch norm
     * with the fast paths on, which that layer applies itself ({@link FastBatchNorm#isReluAfter()}: inside
     * oneDNN's batch-norm passes, no pass of its own), so its vertex is {@code <name>/bn} alone.
     */
    static Node batchNormThenActivation(BlockContext ctx, Node in, Activation act) {
        Defaults.BatchNorm b = ctx.defaults().bn();
        var batchNorm = Dl4j.batchNorm(ctx, b.eps(), b.decay());
        if (act == Activation.RELU && batchNorm instanceof FastBatchNorm fast && ctx.fastPath(FastPath.RELU)) {
            return ctx.layer("bn", fast.withReluAfter(), in);
        }
        Node out = ctx.layer("bn", batchNorm, in);
        if (act == Activation.LINEAR) return out;
        return ctx.layer(act.name().toLowerCase(), Dl4j.activationLayer(ctx, act), out);
    }

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Counts.atLeastOne(ctx, "filters", filters, 0);
        Defaults.Conv d = ctx.defaults().conv();
        if (pad != null && padding != null) throw ctx.error("pad", "give either 'pad' (explicit zeros) or 'padding' (same/valid), not both");
        Window w = Window.of(ctx, kernel, stride, padding != null ? padding : d.padding());
        int[] explicit = pad == null ? null : Window.pair(ctx, "pad", pad, 0, 0);
        if (explicit != null) w = w.padded(explicit);
        w.checkFits(ctx, in);
        boolean withBn = bn != null ? bn : d.bn();
        boolean withBias = bias != null ? bias : d.bias();
        Activation act = activation != null ? activation : d.activation();

        Node out = ctx.layer(Dl4j.conv(ctx, new ConvolutionLayer.Builder(w.kernel(), w.stride(), w.explicitPad())
                .nOut(ctx.scaled(filters))
                .convolutionMode(w.mode())
                .hasBias(withBias)
                .activation(withBn ? Dl4j.activation(Activation.LINEAR) : Dl4j.activation(ctx, act))
                .weightInit(Dl4j.init(init != null ? init : d.init()))), in);
        if (withBn) out = batchNormThenActivation(ctx, out, act);
        return out;
    }
}
