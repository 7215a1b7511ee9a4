package io.inception4j.spark;

import io.inception4j.train.ClusterEngine;
import io.inception4j.train.EpochFitter;

/** The Spark build's {@link ClusterEngine}, found by the command line through ServiceLoader. */
public final class SparkEngine implements ClusterEngine {
    @Override
    public EpochFitter connect(String master) {
        return new SparkFitter(master);
    }
}
