package io.inception4j.train;

import io.inception4j.config.TrainConfig;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphOptions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * A training recipe in DL4J terms. Schedules are DL4J's own: they read the graph's iteration and epoch
 * counters, which checkpoints save, so a resumed run continues at the same point of its schedule.
 */
public final class Recipes {
    private Recipes() {}

    public static GraphOptions graphOptions(TrainConfig t, int batchesPerEpoch) {
        return new GraphOptions(t.seed(), updater(t, batchesPerEpoch), t.weightDecay(), t.gradClip(), DataType.FLOAT,
                t.fastPaths() ? FastPath.all() : FastPath.none());
    }

    static IUpdater updater(TrainConfig t, int batchesPerEpoch) {
        ISchedule s = schedule(t, batchesPerEpoch);
        return switch (t.optimizer()) {
            case SGD -> s == null ? new Sgd(t.lr()) : new Sgd(s);
            case NESTEROV -> s == null ? new Nesterovs(t.lr(), t.momentum()) : new Nesterovs(s, t.momentum());
            // DL4J's RmsProp: no momentum, epsilon outside the square root. rmsprop_tf is the papers'.
            case RMSPROP -> {
                RmsProp r = s == null ? new RmsProp(t.lr()) : new RmsProp(s);
                r.setRmsDecay(t.rmsDecay());
                r.setEpsilon(t.epsilon());
                yield r;
            }
            case RMSPROP_TF -> new TfRmsProp(t.lr(), s, t.rmsDecay(), t.momentum(), t.epsilon());
            case ADAM -> s == null ? new Adam(t.lr()) : new Adam(s);
        };
    }

    static ISchedule schedule(TrainConfig t, int batchesPerEpoch) {
        ISchedule after = decay(t, batchesPerEpoch);
        if (t.warmupEpochs() <= 0) return after;
        return new WarmupSchedule(after, t.lr(), Math.max(1, (int) Math.round(t.warmupEpochs() * batchesPerEpoch)));
    }

    /** The schedule after any warm-up (null: constant). */
    private static ISchedule decay(TrainConfig t, int batchesPerEpoch) {
        TrainConfig.Schedule s = t.schedule();
        return switch (s.type()) {
            case CONSTANT -> null;
            case STEP, EXPONENTIAL -> new StepSchedule(ScheduleType.EPOCH, t.lr(), s.factor(), s.every());
            // Not DL4J's PolySchedule: in M2.1 it grows, (1 + i/max)^power, instead of Caffe's (1 - i/max)^power.
            case POLY -> new PolyDecaySchedule(t.lr(), s.power(), t.epochs() * batchesPerEpoch);
        };
    }

    /**
     * The learning rate {@code graph}'s optimiser applied in its last iteration, in {@code epoch}: read from the
     * main classifier's updater (never frozen), whose schedule is the one the network was built, or saved, with.
     */
    static double appliedLearningRate(ComputationGraph graph, int epoch) {
        var layer = (org.deeplearning4j.nn.conf.layers.BaseLayer) graph.getOutputLayer(0).conf().getLayer();
        return layer.getIUpdater().getLearningRate(graph.getConfiguration().getIterationCount() - 1, epoch);
    }
}
