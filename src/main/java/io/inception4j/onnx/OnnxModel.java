package io.inception4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.config.ConfigException;
import io.inception4j.data.Preprocessing;
import io.inception4j.inference.Classifier;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An exported model ({@link OnnxExport}) loaded into ONNX Runtime, with the labels and preprocessing its metadata
 * carries. Strangers hand us these files, so a file is read only up to {@link #MAX_BYTES}, parsed and checked in
 * Java first (any damage is one line naming the file), and only then given to the native runtime.
 * Thread-safe: ONNX Runtime sessions may be run from several threads.
 */
public final class OnnxModel implements AutoCloseable {
    /**
     * Four times the largest model we export (Inception-ResNet-v2: 56 M parameters, 224 MB), rounded up: a
     * larger file is not one of ours, and is refused before it is read.
     */
    public static final long MAX_BYTES = 1L << 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrtSession session;
    private final List<String> labels;
    private final Preprocessing preprocessing;
    private final boolean rgb;

    private OnnxModel(OrtSession session, List<String> labels, Preprocessing preprocessing, boolean rgb) {
        this.session = session;
        this.labels = labels;
        this.preprocessing = preprocessing;
        this.rgb = rgb;
    }

    /** A classifier that runs this file in ONNX Runtime: the same preprocessing, batching and output as a bundle's. */
    public static Classifier classifier(Path file) {
        OnnxModel m = open(file);
        return Classifier.of(m.labels, m.preprocessing, m::probabilities);
    }

    /** Reads, checks and loads an exported model; anything else is a {@link ConfigException} naming the file. */
    public static OnnxModel open(Path file) {
        byte[] bytes = readBounded(file);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + ": not an ONNX model (" + firstLine(e.getMessage()) + ")");
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) throw new ConfigException(file + ": not an ONNX model (no graph)");
        Map<String, String> meta = new HashMap<>();
        model.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
        List<String> labels = labels(file, meta);
        int height = positive(file, meta, OnnxExport.INPUT_HEIGHT), width = positive(file, meta, OnnxExport.INPUT_WIDTH);
        double ratio;
        try {
            ratio = Double.parseDouble(meta.getOrDefault(OnnxExport.RESIZE_RATIO, ""));
        } catch (NumberFormatException e) {
            throw notOurs(file, "no valid '" + OnnxExport.RESIZE_RATIO + "' in its metadata");
        }
        if (!(ratio >= 1 && ratio <= 4)) throw notOurs(file, "resize_ratio " + ratio + " is outside 1..4");
        String order = meta.getOrDefault(OnnxExport.CHANNEL_ORDER, "");
        if (!order.equals("bgr") && !order.equals("rgb")) throw notOurs(file, "channel_order '" + order + "' is neither bgr nor rgb");
        checkInterface(file, model, height, width, labels.size());
        model = null; // the parsed copy is not needed any more: ONNX Runtime reads the file itself
        bytes = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) { // the session keeps its own copy
            OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString(), options);
            return new OnnxModel(session, labels, new Preprocessing(height, width, ratio), order.equals("rgb"));
        } catch (OrtException e) {
            throw new ConfigException(file + ": ONNX Runtime cannot load this model (" + firstLine(e.getMessage()) + ")");
        }
    }

    private static byte[] readBounded(Path file) {
        try {
            if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such file");
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ConfigException(String.format(Locale.ROOT, "%s: %,d bytes, more than an ONNX model from inception4j can be (%,d)",
                        file, size, MAX_BYTES));
            }
            try (var in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes((int) MAX_BYTES + 1); // bounded even if the file grows while we read it
                if (b.length > MAX_BYTES) throw new ConfigException(file + ": larger than an ONNX model from inception4j can be");
                return b;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> labels(Path file, Map<String, String> meta) {
        String text = meta.get(OnnxExport.LABELS);
        if (text == null) throw notOurs(file, "no '" + OnnxExport.LABELS + "' in its metadata");
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw notOurs(file, "its labels are not a JSON list");
        }
        if (node == null || !node.isArray() || node.isEmpty()) throw notOurs(file, "its labels are not a JSON list of names");
        List<String> labels = new ArrayList<>();
        for (JsonNode l : node) {
            if (!l.isTextual()) throw notOurs(file, "its labels are not a JSON list of names");
            labels.add(l.asText());
        }
        return List.copyOf(labels);
    }

    private static int positive(Path file, Map<String, String> meta, String key) {
        try {
            int v = Integer.parseInt(meta.getOrDefault(key, ""));
            if (v >= 1 && v <= 8192) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw notOurs(file, "no valid '" + key + "' in its metadata");
    }

    /** The input and output our exports have, so that predict fails here, clearly, and not inside the runtime. */
    private static void checkInterface(Path file, ModelProto model, int height, int width, int classes) {
        ValueInfoProto input = model.getGraph().getInputList().stream().filter(v -> v.getName().equals(OnnxExport.INPUT)).findFirst()
                .orElseThrow(() -> notOurs(file, "no input named '" + OnnxExport.INPUT + "'"));
        List<Long> dims = dims(input);
        if (dims.size() != 4 || dims.get(1) != 3 || dims.get(2) != height || dims.get(3) != width) {
            throw notOurs(file, "its input is not [batch, 3, " + height + ", " + width + "] as its metadata says");
        }
        ValueInfoProto output = model.getGraph().getOutputList().stream().filter(v -> v.getName().equals(OnnxExport.PROBABILITIES)).findFirst()
                .orElseThrow(() -> notOurs(file, "no output named '" + OnnxExport.PROBABILITIES + "'"));
        List<Long> out = dims(output);
        if (out.size() != 2 || out.get(1) != classes) {
            throw notOurs(file, "its probabilities are not [batch, " + classes + "] for its " + classes + " labels");
        }
    }

    /** The dimensions of a value, -1 for a dynamic one. */
    private static List<Long> dims(ValueInfoProto v) {
        List<Long> dims = new ArrayList<>();
        if (!v.getType().hasTensorType()) return dims;
        for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            dims.add(d.hasDimValue() ? d.getDimValue() : -1L);
        }
        return dims;
    }

    private static ConfigException notOurs(Path file, String why) {
        return new ConfigException(file + ": not an ONNX model exported by inception4j (" + why
                + "); export one with 'inception4j export --format onnx'");
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }

    public List<String> labels() {
        return labels;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Softmax probabilities [n, classes] for a batch preprocessed as {@link #preprocessing()} does (BGR). */
    public INDArray probabilities(INDArray batch) {
        return run(batch, OnnxExport.PROBABILITIES);
    }

    /** The logits [n, classes] for the same batch. */
    public INDArray logits(INDArray batch) {
        return run(batch, OnnxExport.LOGITS);
    }

    private INDArray run(INDArray batch, String output) {
        long[] shape = batch.shape();
        float[] pixels = batch.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (rgb) pixels = reverseChannels(pixels, shape); // our images are BGR; this model takes RGB
        try (OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(pixels), shape);
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, in), Set.of(output))) {
            float[][] values = (float[][]) r.get(0).getValue();
            return Nd4j.createFromArray(values);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static float[] reverseChannels(float[] nchw, long[] shape) {
        int plane = (int) (shape[2] * shape[3]);
        float[] out = new float[nchw.length];
        for (int n = 0; n < shape[0]; n++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(nchw, (n * 3 + c) * plane, out, (n * 3 + 2 - c) * plane, plane);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
