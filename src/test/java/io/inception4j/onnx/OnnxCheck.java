package io.inception4j.onnx;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.data.Preprocessing;
import io.inception4j.graph.FastPath;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Test helper: a network with random weights made to look trained (batch-norm statistics and affine parameters
 * drawn at random, so that a wrong mapping of any of them shows; the classifier scaled so the largest logit is
 * {@link #LOGIT_SCALE}, as a trained network's are), exported, run in ONNX Runtime and in DL4J on the same batch.
 */
final class OnnxCheck {
    /** A trained classifier's logits reach about this (scripts/conformance: up to 50 on ImageNet's 1000 classes). */
    static final double LOGIT_SCALE = 10;

    private OnnxCheck() {}

    /** The logits and probabilities of both runtimes, and the model that was run. */
    record Compared(INDArray dl4jLogits, INDArray onnxLogits, INDArray dl4jProbabilities, INDArray onnxProbabilities, ModelProto model,
                    long bytes) {
        double logitDifference() {
            return maxAbs(dl4jLogits.castTo(DataType.DOUBLE).sub(onnxLogits.castTo(DataType.DOUBLE)));
        }

        double probabilityDifference() {
            return maxAbs(dl4jProbabilities.castTo(DataType.DOUBLE).sub(onnxProbabilities.castTo(DataType.DOUBLE)));
        }

        double largestLogit() {
            return maxAbs(dl4jLogits);
        }

        long count(String op) {
            return model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
        }
    }

    static double maxAbs(INDArray a) {
        return a.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
    }

    static ComputationGraph network(String yaml, String... sets) {
        var loaded = ModelConfig.parse("test", yaml, Overrides.parse(List.of(sets)));
        return GraphFactory.standard().blueprint(loaded, new GraphOptions(42, new Sgd(0.1), 0, 0, DataType.FLOAT, FastPath.all())).create();
    }

    static ComputationGraph shipped(String model, int size, double width, String layout) {
        var loaded = ModelConfig.load(Path.of("configs/models/" + model + ".yaml"), Overrides.parse(List.of(
                "model.width=" + width, "model.classes=5", "model.aux=false", "model.input=[" + size + "," + size + ",3]",
                "model.layout=" + layout)));
        return GraphFactory.standard().blueprint(loaded, new GraphOptions(42, new Sgd(0.1), 0, 0, DataType.FLOAT, FastPath.all())).create();
    }

    /** Batch norms given random running statistics and affine parameters, in place. */
    static void randomiseBatchNorms(ComputationGraph g, long seed) {
        Random r = new Random(seed);
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
    }

    private static void fill(INDArray a, java.util.function.DoubleSupplier values) {
        for (long i = 0; i < a.length(); i++) a.putScalar(i, values.getAsDouble());
    }

    /** Inputs in [-1, 1], as the preprocessing gives. */
    static INDArray batch(int n, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, 3, size, size).muli(2).subi(1);
    }

    /** The main classifier's pre-softmax output in DL4J: its input activation times W plus b, as DL4J's output layer computes it. */
    static INDArray dl4jLogits(ComputationGraph g, INDArray x) {
        String out = g.getConfiguration().getNetworkOutputs().get(0);
        String before = g.getConfiguration().getVertexInputs().get(out).get(0);
        INDArray features = g.feedForward(x, false).get(before);
        Layer classifier = g.getLayer(out);
        return features.mmul(classifier.getParam("W")).addiRowVector(classifier.getParam("b"));
    }

    /** Scales the classifier so that the largest logit on {@code x} is {@link #LOGIT_SCALE}. */
    static void scaleLogits(ComputationGraph g, INDArray x) {
        double scale = LOGIT_SCALE / maxAbs(dl4jLogits(g, x));
        Layer classifier = g.getLayer(g.getConfiguration().getNetworkOutputs().get(0));
        classifier.getParam("W").muli(scale);
        classifier.getParam("b").muli(scale);
    }

    static List<String> labels(ComputationGraph g) {
        long classes = g.getLayer(g.getConfiguration().getNetworkOutputs().get(0)).getParam("W").size(1);
        return IntStream.range(0, (int) classes).mapToObj(i -> "class" + i).toList();
    }

    /** Exports {@code g} (already prepared), runs both on {@code x}. */
    static Compared compare(ComputationGraph g, INDArray x, Path dir, boolean fold) throws IOException {
        int h = (int) x.size(2), w = (int) x.size(3);
        ModelProto model = OnnxExport.model(g, labels(g), new Preprocessing(h, w, 1.14), "bgr", "test", new OnnxExport.Options(fold));
        Path file = Files.createTempFile(dir, "model-", ".onnx");
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        INDArray logits = dl4jLogits(g, x), probabilities = g.outputSingle(false, x);
        try (OnnxModel onnx = OnnxModel.open(file)) {
            return new Compared(logits, onnx.logits(x), probabilities, onnx.probabilities(x), model, Files.size(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The logits of {@code model} (say, one altered by a test) for {@code x} in ONNX Runtime. */
    static INDArray onnxLogits(ModelProto model, INDArray x, Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "model-", ".onnx");
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        try (OnnxModel onnx = OnnxModel.open(file)) {
            return onnx.logits(x);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The node named {@code name} (a vertex's output tensor name). */
    static onnx.Onnx.NodeProto node(ModelProto model, String name) {
        return model.getGraph().getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in " + model.getGraph().getNodeList().stream().map(onnx.Onnx.NodeProto::getName).toList()));
    }

    static onnx.Onnx.AttributeProto attribute(onnx.Onnx.NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(node.getName() + " has no attribute " + name));
    }

    /** {@code model} with one attribute of one node replaced: to show that a wrong mapping would be caught. */
    static ModelProto withAttribute(ModelProto model, String node, onnx.Onnx.AttributeProto replacement) {
        ModelProto.Builder b = model.toBuilder();
        var graph = b.getGraphBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (!graph.getNode(i).getName().equals(node)) continue;
            var n = graph.getNodeBuilder(i);
            for (int a = 0; a < n.getAttributeCount(); a++) {
                if (n.getAttribute(a).getName().equals(replacement.getName())) n.setAttribute(a, replacement);
            }
        }
        return b.build();
    }

    static double difference(INDArray a, INDArray b) {
        return maxAbs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)));
    }

    /** Random batch norms, logits at a trained network's scale, then {@link #compare}. */
    static Compared prepareAndCompare(ComputationGraph g, INDArray x, Path dir, boolean fold) throws IOException {
        randomiseBatchNorms(g, 3);
        scaleLogits(g, x);
        return compare(g, x, dir, fold);
    }
}
