package io.inception4j.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.config.Loaded;
import io.inception4j.config.ModelConfig;
import io.inception4j.data.Preprocessing;
import io.inception4j.files.AtomicFiles;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import io.inception4j.graph.layers.BatchNormFolding;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * One model config, as a bundle would hold it (no auxiliary heads), with random weights made to look trained
 * (batch-norm statistics drawn at random; the classifier scaled so that the largest logit is 10), exported to
 * ONNX and run on one batch in both runtimes: the largest logit difference, the file's size, and inference
 * images/s of ONNX Runtime against our own predict (the DL4J network with its batch norms folded, as
 * {@link io.inception4j.inference.Classifier} runs it), each the median of timed calls after warm-up ones.
 */
public final class OnnxBenchmark {
    static final double LOGIT_SCALE = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxBenchmark() {}

    public record Result(ObjectNode json, String table) {}

    public static Result run(Loaded<ModelConfig> model, int batch, int warmup, int iterations) throws IOException {
        ModelConfig m = model.config().withoutAux();
        ComputationGraph g = GraphFactory.standard().blueprint(new Loaded<>(model.doc(), m), GraphOptions.defaults()).create();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, m.channels(), m.height(), m.widthPx()).muli(2).subi(1);
        // Logits compared on a few images of the batch: DL4J's feedForward keeps every layer's activations.
        INDArray probe = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(batch, 4))).dup();
        lookTrained(g, probe);
        INDArray dl4jLogits = logits(g, probe);

        List<String> labels = IntStream.range(0, m.classes()).mapToObj(i -> "class " + i).toList();
        ModelProto proto = OnnxExport.model(g, labels, new Preprocessing(m.height(), m.widthPx(), 1.14), "bgr", m.name(),
                OnnxExport.Options.defaults());
        Path workDir = Files.createTempDirectory("inception4j-onnx-");
        Path file = workDir.resolve(m.name() + ".onnx");
        AtomicFiles.write(file, (OutputStream out) -> proto.writeTo(out));
        long bytes = Files.size(file);

        ComputationGraph folded = BatchNormFolding.fold(g); // as predict runs it
        // Each runtime timed before the other has run in this process: neither's threads are then about.
        double dl4j = median(warmup, iterations, batch, () -> folded.outputSingle(false, x));
        INDArray dl4jProbabilities = folded.outputSingle(false, x);
        ObjectNode json = JSON.createObjectNode();
        try (OnnxModel onnx = OnnxModel.open(file)) {
            double ort = median(warmup, iterations, batch, () -> onnx.probabilities(x));
            double difference = onnx.logits(probe).castTo(DataType.DOUBLE).sub(dl4jLogits.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            double foldedDifference = dl4jProbabilities.castTo(DataType.DOUBLE).sub(onnx.probabilities(x).castTo(DataType.DOUBLE))
                    .amaxNumber().doubleValue();
            json.put("model", m.name()).put("input", m.height() + "x" + m.widthPx()).put("batch", batch)
                    .put("classes", m.classes()).put("parameters", g.numParams()).put("onnx_bytes", bytes)
                    .put("onnx_nodes", proto.getGraph().getNodeCount()).put("opset", OnnxExport.OPSET)
                    .put("largest_logit", LOGIT_SCALE).put("max_abs_logit_difference", difference)
                    .put("max_abs_probability_difference_vs_folded", foldedDifference)
                    .put("dl4j_predict_images_per_s", dl4j).put("onnxruntime_images_per_s", ort)
                    .put("warmup", warmup).put("iterations", iterations)
                    .put("processors", Runtime.getRuntime().availableProcessors())
                    .put("onnxruntime", "1.20.0 (default session options: intra-op threads = physical cores)")
                    .put("date", OffsetDateTime.now().toString());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(workDir);
        }
        String table = String.format(Locale.ROOT, "%s %s batch %d: largest logit difference %.2g (logits up to %.0f), %,d bytes, "
                        + "predict %.2f images/s, ONNX Runtime %.2f images/s (%.2fx)%n", m.name(), json.get("input").asText(), batch,
                json.get("max_abs_logit_difference").asDouble(), LOGIT_SCALE, bytes, json.get("dl4j_predict_images_per_s").asDouble(),
                json.get("onnxruntime_images_per_s").asDouble(),
                json.get("onnxruntime_images_per_s").asDouble() / json.get("dl4j_predict_images_per_s").asDouble());
        return new Result(json, table);
    }

    /** Writes the result as {@code <dir>/<model>-<input>-b<batch>.json}. */
    public static Path write(ObjectNode json, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(String.format(Locale.ROOT, "%s-%s-b%d.json", json.get("model").asText(), json.get("input").asText(),
                json.get("batch").asInt()));
        AtomicFiles.writeString(f, json.toPrettyString() + "\n");
        return f;
    }

    /** Batch norms with random statistics and affine parameters; the classifier scaled to logits of {@link #LOGIT_SCALE}. */
    private static void lookTrained(ComputationGraph g, INDArray x) {
        Random r = new Random(3);
        for (Layer l : g.getLayers()) {
            if (!(l.conf().getLayer() instanceof BatchNormalization)) continue;
            fill(l.getParam(BatchNormalizationParamInitializer.GAMMA), () -> 0.5 + r.nextDouble());
            fill(l.getParam(BatchNormalizationParamInitializer.BETA), () -> 0.2 * r.nextGaussian());
            fill(l.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), () -> 0.2 * r.nextGaussian());
            if (l.paramTable().containsKey(BatchNormalizationParamInitializer.GLOBAL_VAR)) {
                fill(l.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR), () -> 0.5 + 1.5 * r.nextDouble());
            } else {
                fill(l.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD), () -> 0.5 * Math.log10(0.5 + 1.5 * r.nextDouble()));
            }
        }
        double scale = LOGIT_SCALE / logits(g, x).amaxNumber().doubleValue();
        Layer classifier = g.getLayer(g.getConfiguration().getNetworkOutputs().get(0));
        classifier.getParam("W").muli(scale);
        classifier.getParam("b").muli(scale);
    }

    private static void fill(INDArray a, java.util.function.DoubleSupplier values) {
        for (long i = 0; i < a.length(); i++) a.putScalar(i, values.getAsDouble());
    }

    /** The classifier's pre-softmax output: its input activation times W plus b, as DL4J's output layer computes it. */
    static INDArray logits(ComputationGraph g, INDArray x) {
        String out = g.getConfiguration().getNetworkOutputs().get(0);
        INDArray features = g.feedForward(x, false).get(g.getConfiguration().getVertexInputs().get(out).get(0));
        Layer classifier = g.getLayer(out);
        return features.mmul(classifier.getParam("W")).addiRowVector(classifier.getParam("b"));
    }

    private static double median(int warmup, int iterations, int batch, Runnable step) {
        for (int i = 0; i < warmup; i++) step.run();
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            step.run();
            rates.add(batch / ((System.nanoTime() - t0) / 1e9));
        }
        Collections.sort(rates);
        return rates.get(rates.size() / 2);
    }
}
