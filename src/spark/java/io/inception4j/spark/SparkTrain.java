package io.inception4j.spark;

import io.inception4j.cli.Main;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The class to give spark-submit: {@code spark-submit --class io.inception4j.spark.SparkTrain --master M
 * target/inception4j.jar [train options]}. Runs {@code train} with the master spark-submit configured
 * (README: Training on a Spark cluster); the run directory is the same as any other run's.
 */
public final class SparkTrain {
    private SparkTrain() {}

    public static void main(String[] args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(Arrays.asList(args));
        if (!all.contains("--spark")) all.addAll(List.of("--spark", "submit"));
        Main.main(all.toArray(String[]::new));
    }
}
