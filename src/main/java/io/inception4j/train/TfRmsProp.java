package io.inception4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * TensorFlow's RMSProp with momentum, as the Inception v3/v4 and Inception-ResNet papers trained with it
 * (decay 0.9, momentum 0.9, epsilon 1.0), for DL4J:
 *
 * <pre>
 *   ms  = decay * ms + (1 - decay) * g^2
 *   mom = momentum * mom + lr * g / sqrt(ms + epsilon)
 *   w  -= mom
 * </pre>
 * with {@code ms} starting at 1 and {@code mom} at 0, as TensorFlow 1's {@code RMSPropOptimizer} (used by
 * TF-slim) initialises them. DL4J's own {@code RmsProp} has no momentum, puts epsilon outside the square root
 * and starts {@code ms} at epsilon; with epsilon 1.0 the two differ a lot. Serialised with the graph
 * configuration (DL4J's shaded Jackson) and its state saved with the updater, like the stock updaters.
 */
public final class TfRmsProp implements IUpdater {
    private double learningRate;
    private ISchedule learningRateSchedule;
    private final double decay;
    private final double momentum;
    private final double epsilon;

    public TfRmsProp(@JsonProperty("learningRate") double learningRate,
                     @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                     @JsonProperty("decay") double decay, @JsonProperty("momentum") double momentum,
                     @JsonProperty("epsilon") double epsilon) {
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.decay = decay;
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    /** Two state values per parameter: ms, then mom. */
    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        TfRmsPropUpdater u = new TfRmsPropUpdater(this);
        u.setStateViewArray(viewArray, null, 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        TfRmsPropUpdater u = new TfRmsPropUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public TfRmsProp clone() {
        return new TfRmsProp(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), decay,
                momentum, epsilon);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public double getDecay() {
        return decay;
    }

    public double getMomentum() {
        return momentum;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TfRmsProp t && t.learningRate == learningRate && t.decay == decay && t.momentum == momentum
                && t.epsilon == epsilon && java.util.Objects.equals(t.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(learningRate, learningRateSchedule, decay, momentum, epsilon);
    }

    @Override
    public String toString() {
        return "TfRmsProp(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate) + ", decay=" + decay
                + ", momentum=" + momentum + ", epsilon=" + epsilon + ")";
    }
}
