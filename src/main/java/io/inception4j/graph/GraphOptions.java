package io.inception4j.graph;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * Network-wide settings that are not part of the architecture: they come from the training recipe.
 *
 * @param seed        seeds weight initialisation (and dropout masks)
 * @param updater     the optimiser with its learning rate
 * @param weightDecay L2 weight decay coefficient applied to weights (not biases), 0 for none
 * @param gradClip    clip each layer's gradient to this L2 norm (DL4J has no global-norm clipping); 0 = off
 * @param dataType    parameter and activation type
 */
public record GraphOptions(long seed, IUpdater updater, double weightDecay, double gradClip, DataType dataType) {

    /** What {@code summary} and tests use: seed 42, SGD with Nesterov momentum 0.9 at 0.01, no decay, FP32. */
    public static GraphOptions defaults() {
        return new GraphOptions(42, new Nesterovs(0.01, 0.9), 0, 0, DataType.FLOAT);
    }

}
