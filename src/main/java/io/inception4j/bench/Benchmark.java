package io.inception4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.backend.Backend;
import io.inception4j.config.DataConfig;
import io.inception4j.config.Loaded;
import io.inception4j.config.ModelConfig;
import io.inception4j.files.AtomicFiles;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphUpdater;
import io.inception4j.graph.GraphOptions;
import io.inception4j.graph.ModelSummary;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.bytedeco.javacpp.Pointer;
import io.inception4j.graph.layers.BatchNormFolding;
import io.inception4j.config.Loaded;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Measures one model config at one batch size: training steps (forward + backward + update) and inference
 * calls on random data, each the median over timed iterations after warm-up; peak heap and RSS; and, when
 * a dataset is given, the data pipeline alone (decode; augment + batch).
 */
public final class Benchmark {

    /**
     * @param data         a dataset config to time the data pipeline on (null: skip), with its folder or null to
     *                     locate it; its cache and workers settings are the pipeline's
     * @param images       how many of the dataset's images the pipeline measurement uses (0: all)
     * @param pipelineOnly measure the data pipeline alone, no network
     */
    public record Options(int batch, int warmup, int iterations, DataConfig data, Path dataDir, Map<String, String> env,
                          boolean profile, Set<FastPath> fastPaths, int images, boolean pipelineOnly, Path jfr) {}

    /** Per-iteration images/s, summarised. */
    public record Throughput(double median, double min, double max, int iterations) {
        static Throughput of(List<Double> imagesPerSecond) {
            double[] v = imagesPerSecond.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Throughput(median, v[0], v[v.length - 1], v.length);
        }
    }

    public record Result(ObjectNode json, String table) {}

    private Benchmark() {}

    public static Result run(Loaded<ModelConfig> model, Options o) throws IOException {
        Backend.ensureInitialised();
        ModelConfig m = model.config();
        ObjectMapper json = new ObjectMapper();
        ObjectNode r = json.createObjectNode();
        Machine machine = Machine.detect();
        var backend = Backend.info();
        r.put("date", OffsetDateTime.now().toString());
        r.put("model", m.name()).put("input", m.height() + "x" + m.widthPx() + "x" + m.channels())
                .put("classes", m.classes()).put("aux_heads", m.aux()).put("batch", o.batch())
                .put("fast_paths", o.fastPaths().stream().map(p -> p.name().toLowerCase(Locale.ROOT)).sorted().toList().toString())
                .put("warmup", o.warmup()).put("iterations", o.iterations());
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%s, input %s, batch %d, %s%n", m.name(), r.get("input").asText(), o.batch(), backend));
        t.append(String.format(Locale.ROOT, "fast paths: %s%n", r.get("fast_paths").asText()));
        t.append(String.format(Locale.ROOT, "machine: %s, %d cores, %s, peak %.0f GFLOP/s (FP32)%n%n", machine.cpu(),
                machine.cores(), machine.simdFlags(), machine.peakGflops()));

        RssSampler rss = new RssSampler();
        Pipeline pipeline = o.data() == null ? null : Pipeline.open(o, m);
        if (pipeline != null) {
            r.set("data_pipeline", pipeline.measure(o, json));
            t.append(pipeline.describe(r.get("data_pipeline")));
        }
        Map<String, Long> profile = Map.of();
        if (!o.pipelineOnly()) {
            Blueprint bp = GraphFactory.standard().blueprint(model, GraphOptions.defaults().withFastPaths(o.fastPaths()));
            ComputationGraph g = bp.create();
            GraphUpdater.install(g); // as the trainer does
            ModelSummary summary = ModelSummary.of(bp, g);
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.rand(DataType.FLOAT, o.batch(), m.channels(), m.height(), m.widthPx());
            INDArray y = Nd4j.zeros(DataType.FLOAT, o.batch(), m.classes());
            for (int i = 0; i < o.batch(); i++) y.putScalar(i, i % m.classes(), 1);
            INDArray[] labels = new INDArray[bp.outputCount()];
            Arrays.fill(labels, y);
            MultiDataSet batch = new MultiDataSet(new INDArray[] {x}, labels);

            Throughput train = time(o, () -> g.fit(batch), o.jfr());
            // Inference as predict runs it: a bundle's network (no auxiliary heads) with its batch norms folded.
            ComputationGraph predictor = BatchNormFolding.fold(GraphFactory.standard().blueprint(new Loaded<>(model.doc(), m.withoutAux()),
                    GraphOptions.defaults().withFastPaths(o.fastPaths())).create());
            Throughput infer = time(o, () -> predictor.output(false, x), inferenceRecording(o.jfr()));
            long macs = summary.macs() + summary.auxMacs();
            // Training costs about three forward passes (forward, backward to activations, backward to weights).
            double trainGflops = train.median() * macs * 2 * 3 / 1e9;
            double inferGflops = infer.median() * summary.macs() * 2 / 1e9;
            r.put("parameters", g.numParams()).put("multiply_adds_per_image", summary.macs()).put("multiply_adds_per_image_with_aux", macs);
            r.set("train_images_per_s", json.valueToTree(train));
            r.set("inference_images_per_s", json.valueToTree(infer));
            r.put("train_gflops", trainGflops).put("inference_gflops", inferGflops);
            t.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s %12s %9s%n", "measure", "median", "min", "max", "GFLOP/s", "of peak"));
            row(t, "train images/s", train, trainGflops, machine.peakGflops());
            row(t, "inference images/s", infer, inferGflops, machine.peakGflops());
            if (pipeline != null) {
                Throughput fed = pipeline.train(g, bp.outputCount(), o);
                r.set("train_images_per_s_fed_by_pipeline", json.valueToTree(fed));
                row(t, "train images/s, fed by data", fed, fed.median() * macs * 6 / 1e9, machine.peakGflops());
            }
            if (o.profile()) {
                profile = OpTimes.measure(() -> { for (int i = 0; i < 2; i++) g.fit(batch); });
                r.set("profile_two_train_steps_ms_by_op", json.valueToTree(profile));
            }
        }
        r.put("peak_heap_mib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
        System.gc(); // what the run still holds: the index, the network, caches (not garbage waiting for the collector)
        r.put("heap_live_mib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
        r.put("offheap_mib", Pointer.physicalBytes() >> 20);
        r.put("peak_rss_mib", Machine.peakRssMiB());
        rss.close();
        r.put("steady_rss_mib", rss.steadyMiB()).put("rss_samples", rss.count());
        r.set("machine", json.valueToTree(machine));
        r.put("cpu_peak_gflops", machine.peakGflops());
        r.set("backend", json.valueToTree(backend));
        r.put("omp_num_threads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        r.put("java", System.getProperty("java.version"));
        r.put("dl4j", "1.0.0-M2.1");

        if (!profile.isEmpty()) {
            long total = profile.values().stream().mapToLong(Long::longValue).sum();
            t.append(String.format(Locale.ROOT, "%ntime per op over two training steps (ND4J OpProfiler, ops over 0.1 ms):%n"));
            profile.entrySet().stream().limit(12).forEach(e -> t.append(String.format(Locale.ROOT, "  %-28s %8d ms %5.1f%%%n",
                    e.getKey(), e.getValue(), 100.0 * e.getValue() / total)));
        }
        t.append(String.format(Locale.ROOT, "%npeak RSS %d MiB, heap in use %d MiB, off-heap %d MiB%n",
                r.get("peak_rss_mib").asLong(), r.get("peak_heap_mib").asLong(), r.get("offheap_mib").asLong()));
        return new Result(r, t.toString());
    }

    private static void row(StringBuilder t, String name, Throughput th, double gflops, double peak) {
        t.append(String.format(Locale.ROOT, "%-28s %10.2f %10.2f %10.2f %12.1f %8.1f%%%n", name, th.median(), th.min(), th.max(),
                gflops, 100 * gflops / peak));
    }

    /**
     * Warm-up steps, then timed ones. With a JFR file, Java Flight Recorder (its "profile" settings) records the
     * timed steps only: the warm-up's one-off costs (workspaces learning their size, oneDNN building kernels)
     * stay out of the profile as they stay out of the figures.
     */
    static Throughput time(Options o, Runnable step, Path jfr) throws IOException {
        for (int i = 0; i < o.warmup(); i++) step.run();
        List<Double> rates = new ArrayList<>();
        try (Recording recording = jfr == null ? null : startRecording()) {
            for (int i = 0; i < o.iterations(); i++) {
                long t0 = System.nanoTime();
                step.run();
                rates.add(o.batch() / ((System.nanoTime() - t0) / 1e9));
            }
            if (recording != null) {
                recording.stop();
                recording.dump(jfr);
            }
        }
        return Throughput.of(rates);
    }

    /** Where the timed inference calls are recorded beside the training steps' {@code jfr}: inference-NAME. */
    static Path inferenceRecording(Path jfr) {
        return jfr == null ? null : jfr.resolveSibling("inference-" + jfr.getFileName());
    }

    private static Recording startRecording() throws IOException {
        try {
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.start();
            return recording;
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("the JDK's JFR 'profile' settings do not parse", e);
        }
    }

    /** Writes the JSON as results/bench/<model>-<input>-b<batch>-<time>.json. */
    public static Path write(ObjectNode json, Path dir) throws IOException {
        Files.createDirectories(dir);
        String kind = json.has("train_images_per_s") ? "" : "pipeline-";
        String name = String.format(Locale.ROOT, "%s%s-%s-b%d-%s.json", kind, json.get("model").asText(), json.get("input").asText(),
                json.get("batch").asInt(), json.get("date").asText().replaceAll("[^0-9T]", "").substring(0, 15));
        Path f = dir.resolve(name);
        AtomicFiles.writeString(f, json.toPrettyString() + "\n");
        return f;
    }
}
