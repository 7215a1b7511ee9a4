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
 * @param fastPaths   use our faster layers ({@link io.inception4j.graph.layers}) and keep each convolution's
 *                    pre-activation from the forward pass for the backward pass (DL4J's CacheMode.DEVICE)
 *                    instead of computing the convolution again; false builds stock DL4J layers only
 */
public record GraphOptions(long seed, IUpdater updater, double weightDecay, double gradClip, DataType dataType,
                           boolean fastPaths) {

    /** What {@code summary} and tests use: seed 42, SGD with Nesterov momentum 0.9 at 0.01, no decay, FP32, fast paths. */
    public static GraphOptions defaults() {
        return new GraphOptions(42, new Nesterovs(0.01, 0.9), 0, 0, DataType.FLOAT, true);
    }

    public GraphOptions withFastPaths(boolean on) {
        return new GraphOptions(seed, updater, weightDecay, gradClip, dataType, on);
    }

}
