package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.inception4j.config.Padding;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import java.util.List;

/**
 * {@code type: avgpool}: average pooling, either with a fixed window ({@code kernel}, {@code stride},
 * {@code padding}) or adaptive ({@code size: n}: the window is chosen for an n x n output, as torchvision's
 * {@code adaptive_avg_pool2d}; at GoogLeNet's 14x14 aux input this is exactly the paper's 5x5/3 valid).
 * {@code include_pad} says whether zero padding counts in the divisor (TF "SAME" and timm: no; torchvision's
 * Inception3: yes); unset, {@code defaults.avgpool.include_pad} decides (itself false unless set).
 */
public record AvgPool(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> kernel,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> stride,
        Padding padding,
        Boolean includePad,
        Integer size) implements Block {

    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Node in = ctx.single(inputs);
        Window w;
        if (size != null) {
            if (kernel != null || stride != null) {
                throw ctx.error("size", "give either 'size' (adaptive) or 'kernel'/'stride', not both");
            }
            w = adaptive(ctx, in);
        } else {
            w = Window.of(ctx, kernel, stride, padding != null ? padding : ctx.defaults().conv().padding());
            w.checkFits(ctx, in);
        }
        boolean countPadding = includePad != null ? includePad : ctx.defaults().avgpool().includePad();
        if (countPadding && w.padding() == Padding.SAME) {
            // DL4J's oneDNN pooling helper always leaves padding out of the divisor, whatever the layer says:
            // pad with real zeros first, then every window is whole and the average counts them.
            int[] pads = samePadding(in.height(), w.kh(), w.sh(), in.width(), w.kw(), w.sw());
            if (pads[0] + pads[1] + pads[2] + pads[3] > 0) {
                in = ctx.layer("pad", new ZeroPaddingLayer.Builder(pads).build(), in);
                w = new Window(w.kh(), w.kw(), w.sh(), w.sw(), Padding.VALID);
            }
        }
        return ctx.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, w.kernel(), w.stride())
                .convolutionMode(Dl4j.mode(w.padding()))
                .avgPoolIncludePadInDivisor(false)
                .build(), in);
    }

    /** TensorFlow's "SAME" pads (top, bottom, left, right): ceil(in / stride) outputs, the odd pixel at the end. */
    static int[] samePadding(int h, int kh, int sh, int w, int kw, int sw) {
        int th = Math.max((ceilDiv(h, sh) - 1) * sh + kh - h, 0), tw = Math.max((ceilDiv(w, sw) - 1) * sw + kw - w, 0);
        return new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** stride = floor(in / size), kernel = in - (size - 1) * stride: exactly size x size outputs, no padding. */
    private Window adaptive(BlockContext ctx, Node in) {
        Counts.atLeastOne(ctx, "size", size, 0);
        if (in.height() < size || in.width() < size) {
            throw ctx.shapeError("size", "cannot pool a " + in.height() + "x" + in.width() + " input to "
                    + size + "x" + size + " (the input must be at least " + size + "x" + size + ")");
        }
        int sh = in.height() / size, sw = in.width() / size;
        Window w = new Window(in.height() - (size - 1) * sh, in.width() - (size - 1) * sw, sh, sw, Padding.VALID);
        ctx.note("adaptive " + w + " on " + in.height() + "x" + in.width());
        return w;
    }
}
