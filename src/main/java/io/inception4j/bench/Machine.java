package io.inception4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the CPU is and what it could do at most. Peak FP32 GFLOP/s = cores x clock x FLOPs per cycle, with
 * 32 FLOPs/cycle for AVX2 + FMA (two 8-wide FMA units), 64 with AVX-512, 16 otherwise: the usual upper bound,
 * not reachable in practice (turbo, memory bandwidth and non-GEMM layers are ignored).
 */
public record Machine(String cpu, int cores, double mhz, List<String> simdFlags, double peakGflops) {

    public static Machine detect() {
        String cpu = "unknown";
        double mhz = 0;
        Set<String> flags = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String v = line.contains(":") ? line.substring(line.indexOf(':') + 1).strip() : "";
                if (line.startsWith("model name")) cpu = v;
                if (line.startsWith("cpu MHz")) mhz = Math.max(mhz, Double.parseDouble(v));
                if (line.startsWith("flags")) {
                    for (String f : v.split(" ")) {
                        if (f.startsWith("avx") || f.equals("fma") || f.startsWith("sse4")) flags.add(f);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unusual cpuinfo: leave the defaults
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int perCycle = flags.contains("avx512f") ? 64 : flags.contains("avx2") && flags.contains("fma") ? 32 : 16;
        return new Machine(cpu, cores, mhz, List.copyOf(flags), cores * mhz / 1000 * perCycle);
    }

    /** Peak resident set size of this process in MiB (VmHWM), or -1. */
    static long peakRssMiB() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Arrays.stream(l.split("\\s+")).filter(s -> s.matches("\\d+")).findFirst().orElse("0"))
                    .mapToLong(kb -> Long.parseLong(kb) / 1024).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
