package io.inception4j.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The native build named in logs, provenance and benchmarks is the nd4j-native jar's, not a preset's. */
class BackendTest {
    @Test
    void nativeBuildIsTheClassifierOfTheNd4jJar() {
        String cp = String.join(java.io.File.pathSeparator,
                "/m2/org/nd4j/nd4j-native/1.0.0-M2.1/nd4j-native-1.0.0-M2.1.jar",
                "/m2/org/nd4j/nd4j-native-preset/1.0.0-M2.1/nd4j-native-preset-1.0.0-M2.1-linux-x86_64.jar",
                "/m2/org/nd4j/nd4j-native/1.0.0-M2.1/nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar");
        assertEquals("native linux-x86_64-onednn-avx2", Backend.nativeBuild(cp));
        assertEquals("cuda-11.6 linux-x86_64-cudnn", Backend.nativeBuild("/x/nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64-cudnn.jar"));
        assertEquals("unknown", Backend.nativeBuild("/x/nd4j-native-1.0.0-M2.1.jar"));
    }

    @Test
    void theTestClassPathRunsTheDefaultOneDnnBuild() {
        assertEquals("native linux-x86_64-onednn-avx2", Backend.info().nativeBuild());
    }
}
