package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.graph.MergeVertex;

/**
 * Concatenation along the channel axis of NHWC activations (axis 3). DL4J's {@link MergeVertex} works the axis
 * out from its input types, but its {@code clone()} forgets it and falls back to axis 1, and DL4J clones the
 * configuration for transfer learning (frozen layers), ParallelWrapper and model copies: NHWC branches would
 * then be joined along their height. This one keeps its axis through every copy.
 */
public class ChannelConcat extends MergeVertex {

    public ChannelConcat() {
        setMergeAxis(3);
    }

    @Override
    public ChannelConcat clone() {
        return new ChannelConcat();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelConcat;
    }

    @Override
    public int hashCode() {
        return ChannelConcat.class.hashCode();
    }

    @Override
    public String toString() {
        return "ChannelConcat()";
    }
}
