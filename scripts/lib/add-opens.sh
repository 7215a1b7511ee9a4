# Sourced by scripts/inception4j and scripts/spark-cluster: sets $opens to the --add-opens options Spark needs on
# Java 17 (../shared/reference/dependencies.md). The same list is in the pom (spark.argLine, for the tests) and in
# io.inception4j.spark.SparkFitter (for the executors); keep the three equal.
opens=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
