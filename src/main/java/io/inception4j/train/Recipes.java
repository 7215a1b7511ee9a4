package io.inception4j.train;

import io.inception4j.config.TrainConfig;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphOptions;
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
            // DL4J's RmsProp has no momentum and keeps epsilon outside the square root (TF's, used by the
            // v3/v4 papers, differs): 'momentum' is used as the decay of the squared-gradient average.
            case RMSPROP -> {
                RmsProp r = s == null ? new RmsProp(t.lr()) : new RmsProp(s);
                r.setRmsDecay(t.momentum());
                yield r;
            }
            case ADAM -> s == null ? new Adam(t.lr()) : new Adam(s);
        };
    }

    static ISchedule schedule(TrainConfig t, int batchesPerEpoch) {
        TrainConfig.Schedule s = t.schedule();
        return switch (s.type()) {
            case CONSTANT -> null;
            case STEP, EXPONENTIAL -> new StepSchedule(ScheduleType.EPOCH, t.lr(), s.factor(), s.every());
            // Not DL4J's PolySchedule: in M2.1 it grows, (1 + i/max)^power, instead of Caffe's (1 - i/max)^power.
            case POLY -> new PolyDecaySchedule(t.lr(), s.power(), t.epochs() * batchesPerEpoch);
        };
    }

    /** The learning rate the schedule gives at a point of training. */
    static double learningRate(TrainConfig t, int batchesPerEpoch, int iteration, int epoch) {
        ISchedule s = schedule(t, batchesPerEpoch);
        return s == null ? t.lr() : s.valueAt(iteration, epoch);
    }
}
