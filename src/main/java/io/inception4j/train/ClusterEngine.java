package io.inception4j.train;

/**
 * Training on a cluster (train --spark MASTER). The implementation, {@code io.inception4j.spark.SparkEngine},
 * is only in the Spark build ({@code mvn -Pspark}); the command line finds it with {@link java.util.ServiceLoader}
 * so that the default build carries none of Spark's jars.
 */
public interface ClusterEngine {
    /** @param master a Spark master URL: local[N], spark://host:port, yarn, k8s://..., or "submit" (spark-submit's) */
    EpochFitter connect(String master);
}
