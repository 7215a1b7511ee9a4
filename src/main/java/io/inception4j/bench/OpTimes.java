package io.inception4j.bench;

import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.linalg.profiler.data.StringAggregator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the time goes, per ND4J operation (conv2d, conv2d_bp, maxpool2d, lrn, matmul, ...): ND4J's own
 * OpProfiler timing every op call. OpProfiler keeps its per-op times in a private aggregator and only
 * prints them, so this reads that aggregator by reflection (the one place we reach into ND4J's internals).
 */
final class OpTimes {
    private static final Pattern LINE = Pattern.compile("^(\\S+) (\\S+) \\(.*?\\)\\s+>>>\\s+perc: ([0-9.E-]+) Time spent: (\\d+) ms$");

    private OpTimes() {}

    /** Runs {@code work} with op timing on; returns milliseconds per op name, largest first. */
    static Map<String, Long> measure(Runnable work) {
        OpExecutioner ex = Nd4j.getExecutioner();
        OpProfiler.getInstance().reset();
        ex.setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            work.run();
        } finally {
            ex.setProfilingConfig(ProfilerConfig.builder().build());
        }
        Map<String, Long> byOp = new TreeMap<>();
        for (String line : longCalls().asPercentageString().split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) byOp.merge(m.group(2), Long.parseLong(m.group(4)), Long::sum);
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static StringAggregator longCalls() {
        try {
            var f = OpProfiler.class.getDeclaredField("longAggergator"); // sic: ND4J's spelling
            f.setAccessible(true);
            return (StringAggregator) f.get(OpProfiler.getInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this ND4J version's OpProfiler has no per-op aggregator", e);
        }
    }
}
