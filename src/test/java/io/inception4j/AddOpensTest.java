package io.inception4j;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark's --add-opens list is kept once, in add-opens.txt (SparkFitter reads it for the executors); the launcher's
 * script reads it too, and the pom, which cannot, must list the same packages in spark.argLine (the Spark tests).
 */
class AddOpensTest {
    static final Path LIST = Path.of("src/spark/resources/io/inception4j/spark/add-opens.txt");

    @Test
    void thePomAndTheLauncherOpenExactlyThePackagesOfTheList() throws Exception {
        List<String> packages = Files.readAllLines(LIST).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertFalse(packages.isEmpty());

        var argLine = Pattern.compile("<spark.argLine>([^<]*)</spark.argLine>").matcher(Files.readString(Path.of("pom.xml")));
        argLine.find(); // the first is the empty default
        assertTrue(argLine.find(), "the spark profile sets spark.argLine");
        assertEquals(packages, opened(argLine.group(1)), "pom.xml spark.argLine");

        Process p = new ProcessBuilder("bash", "-c", "source scripts/lib/add-opens.sh && echo \"$opens\"").start();
        String script = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
        assertEquals(packages, opened(script), "scripts/lib/add-opens.sh");
    }

    private static List<String> opened(String options) {
        return Arrays.stream(options.strip().split("\\s+")).filter(o -> o.startsWith("--add-opens="))
                .map(o -> o.substring("--add-opens=java.base/".length(), o.length() - "=ALL-UNNAMED".length())).toList();
    }
}
