package io.inception4j.backend;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/**
 * Prepares ND4J before the first graph is built and says what it runs on.
 *
 * <p>DL4J M2.1 creates no layer helpers unless {@code org.eclipse.deeplearning4j.helpers.disable=false};
 * with the oneDNN build of nd4j-native (our default) that switch, plus the class shim in
 * {@code org.nd4j.nativeblas.Nd4jCpu}, makes convolutions, pooling, LRN and batch norm run in oneDNN.
 * A user who sets the property to {@code true} on the command line keeps the plain path.
 *
 * <p>DL4J reads the property once per layer, when the layer is created, and gives it a helper or none for
 * good. So this must run before the first layer of a process exists, whether the network is built
 * ({@code GraphFactory}) or read back from a checkpoint or bundle ({@code ModelArchive}); a network read
 * back first would train on other kernels than the run it continues (issue 26).
 */
public final class Backend {
    private static final Logger log = LoggerFactory.getLogger(Backend.class);
    private static volatile boolean initialised;

    private Backend() {}

    /** What the backend reports about itself, for logs, provenance and benchmarks. */
    public record Info(String backend, String nativeBuild, boolean oneDnnHelpers, int threads, String blas,
                       String allocator) {
        @Override
        public String toString() {
            return backend + " (" + nativeBuild + "), oneDNN layer helpers " + (oneDnnHelpers ? "on" : "off")
                    + ", " + threads + " threads, BLAS " + blas + ", native allocator " + allocator;
        }

        /** Whether native memory comes from glibc's malloc, which makes training much slower (see {@link #allocator}). */
        public boolean systemMalloc() {
            return allocator.equals("glibc malloc");
        }
    }

    public static synchronized void ensureInitialised() {
        if (initialised) return;
        if (System.getProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY) == null) {
            System.setProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "false");
        }
        initialised = true;
        if (log.isDebugEnabled()) log.debug("ND4J backend: {}", info());
    }

    /** How many of {@code layers} run on a platform helper (oneDNN on CPU, cuDNN on GPU): for the training log. */
    public static long layersWithHelpers(org.deeplearning4j.nn.api.Layer[] layers) {
        return java.util.Arrays.stream(layers).filter(l -> l.getHelper() != null).count();
    }

    public static Info info() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = env.getProperty("backend", "unknown");
        boolean helpers = !Boolean.parseBoolean(System.getProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "true"))
                && "CPU".equalsIgnoreCase(backend) && BaseMKLDNNHelper.mklDnnEnabled();
        Object threads = env.get("omp.threads");
        return new Info(backend, nativeBuild(), helpers,
                threads == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads.toString()),
                String.valueOf(env.getOrDefault("blas.vendor", "unknown")), allocator());
    }

    /**
     * The malloc that native memory comes from: tcmalloc or jemalloc when preloaded (scripts/inception4j
     * preloads tcmalloc when installed), else glibc's. libnd4j and oneDNN allocate and free large buffers on
     * every layer call; glibc returns them to the kernel each time, and faulting them back in made training
     * about 2x slower on the 2-core machines measured in results/bench/README.md.
     */
    static String allocator() {
        try {
            String maps = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/maps"));
            if (maps.contains("libtcmalloc")) return "tcmalloc";
            if (maps.contains("libjemalloc")) return "jemalloc";
            return "glibc malloc";
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The nd4j native build on the class path, e.g. {@code native linux-x86_64-onednn-avx2}. */
    static String nativeBuild() {
        return nativeBuild(System.getProperty("java.class.path", ""));
    }

    /** The same, from a class path string: the classifier of the nd4j-native (or -cuda) jar, not of its presets. */
    static String nativeBuild(String classPath) {
        java.util.regex.Pattern jar = java.util.regex.Pattern.compile(
                "nd4j-(native|cuda-[0-9.]+)-[0-9][0-9.]*(?:-M[0-9.]+)?(?:-SNAPSHOT)?-((?:linux|macosx|windows|android|ios)-.+)\\.jar");
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            var m = jar.matcher(entry.substring(entry.lastIndexOf('/') + 1));
            if (m.matches() && !m.group(2).equals("sources")) return m.group(1) + " " + m.group(2);
        }
        return "unknown";
    }
}
