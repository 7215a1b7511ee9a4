package io.inception4j.graph;

import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * A vertex of the graph being built and the shape of its output. Blocks pass nodes to each other;
 * nobody builds a vertex name by string convention to find another block's output.
 */
public record Node(String vertex, InputType type) {

    public boolean isImage() {
        return type instanceof InputType.InputTypeConvolutional;
    }

    public int height() {
        return isImage() ? (int) ((InputType.InputTypeConvolutional) type).getHeight() : 1;
    }

    public int width() {
        return isImage() ? (int) ((InputType.InputTypeConvolutional) type).getWidth() : 1;
    }

    /** Channels of an image, or the length of a feature vector. */
    public int channels() {
        if (isImage()) return (int) ((InputType.InputTypeConvolutional) type).getChannels();
        return (int) type.arrayElementsPerExample();
    }

    /** "28x28x192" for images, "1024" for vectors. */
    public String shape() {
        return isImage() ? height() + "x" + width() + "x" + channels() : String.valueOf(channels());
    }
}
