package io.inception4j.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Caffe's "poly" learning-rate policy: {@code lr * (1 - iteration / maxIter)^power}, reaching 0 at the end.
 * Written here because DL4J M2.1's {@code PolySchedule} computes {@code lr * (1 + iteration / maxIter)^power},
 * which grows instead of decaying. Serialised with the graph configuration (DL4J's shaded Jackson), so
 * checkpoints keep it.
 */
public final class PolyDecaySchedule implements ISchedule {
    private final double initialValue;
    private final double power;
    private final int maxIter;

    public PolyDecaySchedule(@JsonProperty("initialValue") double initialValue, @JsonProperty("power") double power,
                             @JsonProperty("maxIter") int maxIter) {
        this.initialValue = initialValue;
        this.power = power;
        this.maxIter = maxIter;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration >= maxIter) return 0;
        return initialValue * Math.pow(1 - iteration / (double) maxIter, power);
    }

    @Override
    public ISchedule clone() {
        return new PolyDecaySchedule(initialValue, power, maxIter);
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getPower() {
        return power;
    }

    public int getMaxIter() {
        return maxIter;
    }
}
