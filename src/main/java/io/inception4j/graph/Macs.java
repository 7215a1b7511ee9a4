package io.inception4j.graph;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

/**
 * Multiply-adds of one layer for one image, from its input and output shapes. Only convolutions and
 * fully connected layers count, as in the papers' and torchvision's figures (pooling, normalisation,
 * activations and additions are a rounding error next to them).
 */
final class Macs {
    private Macs() {}

    static long of(Layer layer, InputType in, InputType out) {
        if (layer instanceof ConvolutionLayer conv) {
            var o = (InputType.InputTypeConvolutional) out;
            var i = (InputType.InputTypeConvolutional) in;
            long positions = o.getHeight() * o.getWidth();
            long kernel = (long) conv.getKernelSize()[0] * conv.getKernelSize()[1];
            if (layer instanceof SeparableConvolution2D sep) {
                long mid = i.getChannels() * sep.getDepthMultiplier();
                return positions * (mid * kernel + mid * o.getChannels());
            }
            if (layer instanceof DepthwiseConvolution2D) {
                return positions * o.getChannels() * kernel;
            }
            return positions * o.getChannels() * kernel * i.getChannels();
        }
        if (layer instanceof FeedForwardLayer ff) {
            return ff.getNIn() * ff.getNOut();
        }
        return 0;
    }
}
