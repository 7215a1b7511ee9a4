package io.inception4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.backend.Backend;
import io.inception4j.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where a result came from: code version, machine, backend, data and seed. Saved with every run. */
public final class Provenance {
    private Provenance() {}

    public static ObjectNode collect(String experiment, long seed, Path dataDir, int train, int val, int test, int skipped) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("experiment", experiment);
        n.put("started", OffsetDateTime.now().toString());
        n.put("code_version", codeVersion());
        n.put("seed", seed);
        n.put("data_dir", dataDir.toAbsolutePath().normalize().toString());
        n.put("train_images", train).put("val_images", val).put("test_images", test).put("skipped_images", skipped);
        n.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        n.put("cores", Runtime.getRuntime().availableProcessors());
        n.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        n.put("cpu", cpuModel());
        n.put("backend", Backend.info().toString());
        return n;
    }

    public static void write(ObjectNode provenance, Path file) throws IOException {
        AtomicFiles.writeString(file, provenance.toPrettyString() + "\n");
    }

    /** The git commit (with "-dirty" when the tree has changes), else the jar's version. */
    public static String codeVersion() {
        try {
            String head = run("git", "rev-parse", "HEAD");
            if (head != null && !head.isBlank()) {
                String dirty = run("git", "status", "--porcelain", "--untracked-files=no");
                return head.strip() + (dirty != null && !dirty.isBlank() ? "-dirty" : "");
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
        return out;
    }

    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
