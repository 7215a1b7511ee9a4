package io.inception4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packages depend one way: config (no DL4J) <- graph <- train <- sweep <- cli; data never uses graph;
 * inference (bundles, the Java API) sits on graph (whose layers a bundle runs, folded for inference) and never
 * uses train; onnx (ONNX export and ONNX Runtime inference) sits on inference and graph and, like inference, never
 * uses train; report (charts and pages) knows no DL4J;
 * new capabilities (ui, weights) sit on top of train and only cli uses them; serve (the HTTP server) sits on
 * inference, never uses train, and only cli uses it; nothing uses cli. Checked on imports and
 * on fully qualified names in code alike. Every package says what it is for in a package-info.java.
 */
class PackageRulesTest {
    static final Path SRC = Path.of("src/main/java/io/inception4j");

    /** package -> prefixes its files must not import. */
    static final Map<String, List<String>> FORBIDDEN = Map.ofEntries(
            Map.entry("config", List.of("org.deeplearning4j", "org.nd4j", "org.datavec", "io.inception4j.graph",
                    "io.inception4j.data", "io.inception4j.train", "io.inception4j.cli", "io.inception4j.backend")),
            Map.entry("graph", List.of("io.inception4j.data", "io.inception4j.train", "io.inception4j.cli")),
            Map.entry("data", List.of("io.inception4j.graph", "io.inception4j.train", "io.inception4j.cli")),
            Map.entry("train", List.of("io.inception4j.cli", "io.inception4j.sweep", "io.inception4j.bench")),
            Map.entry("bench", List.of("io.inception4j.train", "io.inception4j.cli")),
            Map.entry("sweep", List.of("io.inception4j.cli")),
            Map.entry("ui", List.of("io.inception4j.cli", "io.inception4j.sweep")),
            Map.entry("weights", List.of("io.inception4j.cli", "io.inception4j.sweep", "io.inception4j.ui", "io.inception4j.bench")),
            Map.entry("inference", List.of("io.inception4j.train", "io.inception4j.cli")),
            Map.entry("onnx", List.of("io.inception4j.train", "io.inception4j.cli", "io.inception4j.sweep", "io.inception4j.ui",
                    "io.inception4j.bench", "io.inception4j.weights")),
            Map.entry("serve", List.of("io.inception4j.train", "io.inception4j.cli", "io.inception4j.sweep", "io.inception4j.ui",
                    "io.inception4j.bench", "io.inception4j.weights", "io.inception4j.onnx")),
            Map.entry("report", List.of("org.deeplearning4j", "org.nd4j", "org.datavec", "io.inception4j.config", "io.inception4j.graph",
                    "io.inception4j.data", "io.inception4j.train", "io.inception4j.inference", "io.inception4j.cli")),
            Map.entry("files", List.of("org.deeplearning4j", "org.nd4j", "org.datavec", "io.inception4j.config", "io.inception4j.graph",
                    "io.inception4j.data", "io.inception4j.train", "io.inception4j.inference", "io.inception4j.report")),
            Map.entry("backend", List.of("io.inception4j.graph", "io.inception4j.data", "io.inception4j.train", "io.inception4j.cli")));

    @Test
    void dependenciesPointOneWay() throws IOException {
        List<String> violations = new ArrayList<>();
        try (var files = Files.walk(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SRC.relativize(f).getName(0).toString();
                for (String line : Files.readAllLines(f)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) continue; // comments
                    for (String bad : FORBIDDEN.getOrDefault(pkg, List.of())) {
                        if (code.matches(".*\\b" + java.util.regex.Pattern.quote(bad) + "\\b.*")) violations.add(f + ": " + code);
                    }
                    if (!pkg.equals("cli") && code.contains("io.inception4j.cli")) violations.add(f + ": " + code);
                    if (!pkg.equals("cli") && !pkg.equals("ui") && code.contains("io.inception4j.ui")) violations.add(f + ": " + code);
                    if (!pkg.equals("cli") && !pkg.equals("weights") && code.contains("io.inception4j.weights")) violations.add(f + ": " + code);
                    if (!pkg.equals("cli") && !pkg.equals("serve") && code.contains("io.inception4j.serve")) violations.add(f + ": " + code);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageSaysWhatItIsFor() throws IOException {
        try (var dirs = Files.walk(SRC)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                boolean hasJava;
                try (var inner = Files.list(d)) {
                    hasJava = inner.anyMatch(p -> p.toString().endsWith(".java"));
                }
                if (hasJava) assertTrue(Files.exists(d.resolve("package-info.java")), d + " has a package-info.java");
            }
        }
    }
}
