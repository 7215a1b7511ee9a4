package io.inception4j.graph;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Network-wide settings that are not part of the architecture: they come from the training recipe.
 *
 * @param seed        seeds weight initialisation (and dropout masks)
 * @param updater     the optimiser with its learning rate
 * @param weightDecay L2 weight decay coefficient applied to weights (not biases), 0 for none
 * @param gradClip    clip each layer's gradient to this L2 norm (DL4J has no global-norm clipping); 0 = off
 * @param dataType    parameter and activation type
 * @param fastPaths   which of our replacements for stock DL4J paths to use ({@link FastPath}); none builds
 *                    stock DL4J layers only
 */
public record GraphOptions(long seed, IUpdater updater, double weightDecay, double gradClip, DataType dataType,
                           Set<FastPath> fastPaths) {

    public GraphOptions {
        fastPaths = fastPaths.isEmpty() ? FastPath.none() : EnumSet.copyOf(fastPaths);
    }

    /** What {@code summary} and tests use: seed 42, SGD with Nesterov momentum 0.9 at 0.01, no decay, FP32, fast paths. */
    public static GraphOptions defaults() {
        return new GraphOptions(42, new Nesterovs(0.01, 0.9), 0, 0, DataType.FLOAT, FastPath.all());
    }

    public GraphOptions withFastPaths(Set<FastPath> paths) {
        return new GraphOptions(seed, updater, weightDecay, gradClip, dataType, paths);
    }

    public boolean fastPath(FastPath p) {
        return fastPaths.contains(p);
    }

}
