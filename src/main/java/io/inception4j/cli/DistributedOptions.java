package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import io.inception4j.parallel.ParallelWrapperFitter;
import io.inception4j.train.ClusterEngine;
import io.inception4j.train.EpochFitter;
import picocli.CommandLine.Option;

import java.util.ServiceLoader;

/** {@code --workers N} (ParallelWrapper on this machine) and {@code --spark MASTER} (a Spark cluster). */
final class DistributedOptions {
    static final String NO_SPARK = "--spark needs the Spark build, which the default build leaves out (about 150 MB of "
            + "jars): run INCEPTION4J_MVN_ARGS=-Pspark scripts/inception4j ... (README: Training on a Spark cluster)";

    @Option(names = "--workers", paramLabel = "N", description = "Train on N workers in this process with DL4J's "
            + "ParallelWrapper (CPU threads here; one per GPU with the CUDA backend); train.distributed sets how they combine.")
    Integer workers;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Train on a Spark cluster: local[N], spark://host:7077, ... "
            + "(needs the Spark build); train.distributed chooses the training master.")
    String spark;

    /** The fitter the options ask for, or null for an ordinary single-process run. */
    EpochFitter fitter() {
        if (workers != null && spark != null) throw new ConfigException("--workers and --spark: give one of them");
        if (workers != null) return new ParallelWrapperFitter(workers);
        if (spark == null) return null;
        ClusterEngine engine;
        try {
            engine = ServiceLoader.load(ClusterEngine.class).findFirst().orElseThrow(() -> new ConfigException(NO_SPARK));
        } catch (java.util.ServiceConfigurationError e) { // a class folder left over from a Spark build
            throw new ConfigException(NO_SPARK + " (" + e.getMessage() + ")");
        }
        return engine.connect(spark);
    }
}
