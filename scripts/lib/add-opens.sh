# Sourced by scripts/inception4j and scripts/spark-cluster: sets $opens to the --add-opens options Spark needs on
# Java 17, from the one list in src/spark/resources/io/inception4j/spark/add-opens.txt (SparkFitter reads it too;
# AddOpensTest holds the pom's spark.argLine to it).
opens=""
while read -r p; do
  case "$p" in ''|'#'*) continue ;; esac
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done < "$(dirname "${BASH_SOURCE[0]}")/../../src/spark/resources/io/inception4j/spark/add-opens.txt"
