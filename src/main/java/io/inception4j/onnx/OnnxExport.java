package io.inception4j.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Preprocessing;
import io.inception4j.files.AtomicFiles;
import io.inception4j.inference.Bundle;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a bundle's network as an ONNX model that needs no other file: opset {@value #OPSET}, one input
 * {@code input} float [batch, 3, height, width] (NCHW, preprocessed as the metadata says), two outputs
 * {@code logits} and {@code probabilities} (their softmax) float [batch, classes], the batch dimension dynamic.
 * The labels and the preprocessing go into the model's {@code metadata_props} (keys below). A layer with no ONNX
 * form is refused before anything is written ({@link NoOnnxForm}); the file is written atomically.
 */
public final class OnnxExport {
    /** ONNX Runtime 1.8 and later, TensorRT 8, OpenVINO 2022 and onnxruntime-web all run opset 13. */
    public static final int OPSET = 13;
    /** The IR version that goes with opset 13 (ONNX 1.8). */
    static final long IR_VERSION = 7;
    public static final String INPUT = Translation.INPUT, LOGITS = Translation.LOGITS, PROBABILITIES = Translation.PROBABILITIES;

    /** metadata_props keys. */
    public static final String LABELS = "labels", INPUT_HEIGHT = "input_height", INPUT_WIDTH = "input_width",
            CHANNEL_ORDER = "channel_order", NORMALISATION = "normalisation", MEAN = "mean", STD = "std",
            RESIZE_RATIO = "resize_ratio", CROP = "crop", LAYOUT = "layout", MODEL = "model";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxExport() {}

    /**
     * @param foldBatchNorm fold each batch norm into the convolution before it (fewer nodes; ONNX Runtime folds
     *                      them itself when it loads a model, other consumers may not), else BatchNormalization nodes
     */
    public record Options(boolean foldBatchNorm) {
        public static Options defaults() {
            return new Options(false);
        }
    }

    /** What was written: the file's size, the network's parameter count and the model's node count. */
    public record Written(Path file, long bytes, long parameters, int nodes) {}

    /** The bundle's network as an ONNX model, built in memory. */
    public static ModelProto model(Bundle bundle, Options options) {
        String order = bundle.info().path("preprocessing").path("channel_order").asText("bgr");
        return model(bundle.network(), bundle.labels(), bundle.preprocessing(), order, bundle.info().path("model").asText(""), options);
    }

    /**
     * @param channelOrder the order of the input's channels the network was trained on: "bgr" (our image
     *                     pipeline's, DataVec's) or "rgb"
     */
    public static ModelProto model(ComputationGraph network, List<String> labels, Preprocessing pre, String channelOrder,
                                   String modelName, Options options) {
        InputType input = InputType.convolutional(pre.height(), pre.width(), 3);
        OnnxGraph g = Translation.translate(network, (InputType.InputTypeConvolutional) input, options.foldBatchNorm());
        long classes = translatedClasses(network, labels);
        var graph = g.proto().setName(modelName.isEmpty() ? "inception4j" : modelName)
                .addInput(value(INPUT, "batch", 3, pre.height(), pre.width()))
                .addOutput(value(LOGITS, "batch", classes))
                .addOutput(value(PROBABILITIES, "batch", classes));
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("inception4j")
                .setProducerVersion(version())
                .setDocString("An image classifier exported by inception4j. Input: images " + pre.height() + "x" + pre.width()
                        + ", NCHW, channels " + channelOrder.toUpperCase(Locale.ROOT) + ", each value x / 127.5 - 1; outputs: logits and"
                        + " softmax probabilities over the labels in metadata_props.")
                .setGraph(graph);
        metadata(labels, pre, channelOrder, modelName).forEach((k, v) -> m.addMetadataPropsBuilder().setKey(k).setValue(v));
        return m.build();
    }

    /** The keys a consumer needs to feed the model, in a stable order. */
    static Map<String, String> metadata(List<String> labels, Preprocessing pre, String channelOrder, String modelName) {
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            meta.put(LABELS, JSON.writeValueAsString(labels));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meta.put(INPUT_HEIGHT, String.valueOf(pre.height()));
        meta.put(INPUT_WIDTH, String.valueOf(pre.width()));
        meta.put(LAYOUT, "NCHW");
        meta.put(CHANNEL_ORDER, channelOrder.toLowerCase(Locale.ROOT));
        meta.put(NORMALISATION, "x / 127.5 - 1");
        // The same as (x - mean) / std over 0..255 pixel values, for consumers that take mean and std.
        meta.put(MEAN, "127.5,127.5,127.5");
        meta.put(STD, "127.5,127.5,127.5");
        meta.put(RESIZE_RATIO, String.valueOf(pre.resizeRatio()));
        meta.put(CROP, "centre: short side to round(max(height, width) * resize_ratio), then the central height x width");
        if (!modelName.isEmpty()) meta.put(MODEL, modelName);
        return meta;
    }

    /** A model's metadata_props as a map. */
    public static Map<String, String> metadataOf(ModelProto model) {
        Map<String, String> meta = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
        return meta;
    }

    private static long translatedClasses(ComputationGraph network, List<String> labels) {
        long classes = network.getConfiguration().getVertices().get(network.getConfiguration().getNetworkOutputs().get(0)) instanceof
                org.deeplearning4j.nn.conf.graph.LayerVertex lv && lv.getLayerConf().getLayer() instanceof
                org.deeplearning4j.nn.conf.layers.FeedForwardLayer f ? f.getNOut() : -1;
        if (classes != labels.size()) {
            throw new ConfigException("the network has " + classes + " outputs but there are " + labels.size() + " labels");
        }
        return classes;
    }

    /** Builds the whole model first (so a network that cannot be exported leaves nothing behind), then writes it atomically. */
    public static Written write(Bundle bundle, Path out, Options options) throws IOException {
        ModelProto model = model(bundle, options);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.write(out, model::writeTo);
        return new Written(out, Files.size(out), bundle.network().numParams(), model.getGraph().getNodeCount());
    }

    private static ValueInfoProto value(String name, String batch, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam(batch); // dynamic: any batch size
        for (long d : dims) shape.addDimBuilder().setDimValue(d);
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
