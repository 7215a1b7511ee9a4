/**
 * Training on an Apache Spark cluster ({@code train --spark MASTER}, or {@link io.inception4j.spark.SparkTrain}
 * through spark-submit) with dl4j-spark's training masters: parameter averaging or shared gradients over
 * Aeron (train.distributed). Only in the Spark build ({@code mvn -Pspark}, sources in {@code src/spark}).
 *
 * <p>Data: the driver holds file names only. Each epoch it writes every batch's list of image files into
 * the run directory ({@link BatchLists}); the executors read those lists and decode and augment the images
 * themselves through the streaming pipeline ({@link ImageBatchLoader}), so the images and the run
 * directory must be on a path every node can see (a shared folder; HDFS/S3 for the lists on a real cluster).
 */
package io.inception4j.spark;
