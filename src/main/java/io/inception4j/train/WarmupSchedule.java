package io.inception4j.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear learning-rate warm-up (train.warmup_epochs): over the first {@code warmupIterations} updates the
 * rate rises from {@code 1/warmupIterations} of the schedule's value to all of it, then the schedule runs as
 * written ({@code after}; its iteration and epoch counters are not shifted). Serialised with the graph
 * configuration like DL4J's schedules, so a resumed run continues at the same point.
 */
public final class WarmupSchedule implements ISchedule {
    private final ISchedule after;
    private final double initialValue;
    private final int warmupIterations;

    /** @param after the schedule after warm-up, or null for the constant {@code initialValue} */
    public WarmupSchedule(@JsonProperty("after") ISchedule after, @JsonProperty("initialValue") double initialValue,
                          @JsonProperty("warmupIterations") int warmupIterations) {
        if (warmupIterations < 1) throw new IllegalArgumentException("warm-up needs at least one iteration, got " + warmupIterations);
        this.after = after;
        this.initialValue = initialValue;
        this.warmupIterations = warmupIterations;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double target = after == null ? initialValue : after.valueAt(iteration, epoch);
        if (iteration >= warmupIterations) return target;
        return target * (iteration + 1) / warmupIterations;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(after == null ? null : after.clone(), initialValue, warmupIterations);
    }

    public ISchedule getAfter() {
        return after;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public int getWarmupIterations() {
        return warmupIterations;
    }
}
