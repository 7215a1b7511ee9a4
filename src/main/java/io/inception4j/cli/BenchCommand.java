package io.inception4j.cli;

import io.inception4j.bench.Benchmark;
import io.inception4j.bench.Machine;
import io.inception4j.config.Binder;
import io.inception4j.config.DataConfig;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.YamlDocument;
import io.inception4j.graph.FastPath;
import io.inception4j.onnx.OnnxBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure training, inference and data speed on this machine.",
                "Training and inference images/s (median after warm-up) and the GFLOP/s they reach against the CPU's "
                        + "peak; the data pipeline alone (images/s read, decoded and augmented, with its cache mode "
                        + "and worker threads: --set data.cache=none|memory, --set data.workers=N) and training fed "
                        + "by it; and the peak memory (RSS) of the whole process.",
                "Prints a table and writes JSON under results/bench/. --pipeline-only skips the network.",
                "--onnx instead compares inference in ONNX Runtime with our own predict on the network exported to ONNX "
                        + "(random weights made to look trained): the largest logit difference, the file size and images/s of each."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.yaml", description = "Default: configs/models/inception-v1.yaml")
    Path model;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10", description = "Timed iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--data-config", paramLabel = "DATA.yaml", defaultValue = "configs/data/flowers17.yaml",
            description = "Dataset to time the data pipeline on (default: ${DEFAULT-VALUE}); 'none' to skip.")
    String dataConfig;

    @Mixin
    DataOption data;

    @Option(names = "--images", defaultValue = "0", paramLabel = "N",
            description = "Images the pipeline measurement reads (default: one pass over the dataset; more than the set holds: several passes).")
    int images;

    @Option(names = "--pipeline-only", description = "Measure the data pipeline alone: no network, no training.")
    boolean pipelineOnly;

    @Option(names = "--onnx", description = "Export the network (no auxiliary heads) to ONNX and time inference in ONNX Runtime "
            + "against predict's DL4J network on the same batch (results/onnx/README.md).")
    boolean onnx;

    @Option(names = "--fast-paths", defaultValue = "all", paramLabel = "all|none|LIST",
            description = "Which of our replacements for stock DL4J paths to use: all (default, as train.fast_paths=true), "
                    + "none (stock DL4J), or some of lrn,batchnorm,relu,cache,pool,sepconv,conv.")
    String fastPaths;

    @Option(names = "--profile", description = "Also time two training steps per ND4J op (conv2d, lrn, ...).")
    boolean profile;

    @Option(names = "--jfr", paramLabel = "FILE", description = "Record the timed training steps with Java Flight Recorder "
            + "into FILE, and the timed inference calls into inference-FILE beside it (scripts/profile-layers reads them by layer).")
    Path jfr;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/bench", description = "Where the JSON goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    private java.util.Set<FastPath> parseFastPaths() {
        try {
            return FastPath.parse(fastPaths);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--fast-paths: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        var overrides = config.overrides("bench", "model", "data");
        var loaded = ModelConfig.load(model != null ? model : Path.of("configs/models/inception-v1.yaml"), overrides);
        if (onnx) {
            var r = OnnxBenchmark.run(loaded, batch, warmup, iterations);
            r.json().put("cpu", Machine.detect().cpu());
            Path f = OnnxBenchmark.write(r.json(), out);
            spec.commandLine().getOut().print(r.table());
            spec.commandLine().getOut().println("wrote " + f);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        DataConfig d = null;
        if (!dataConfig.equals("none")) {
            YamlDocument doc = YamlDocument.load(Path.of(dataConfig));
            overrides.applyTo(doc, "data");
            d = Binder.bind(doc, DataConfig.class);
        } else if (pipelineOnly) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pipeline-only needs a dataset (--data-config)");
        }
        var r = Benchmark.run(loaded, new Benchmark.Options(batch, warmup, iterations, d, data.dir, System.getenv(), profile, parseFastPaths(), images, pipelineOnly, jfr));
        Path f = Benchmark.write(r.json(), out);
        spec.commandLine().getOut().print(r.table());
        spec.commandLine().getOut().println("wrote " + f);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
