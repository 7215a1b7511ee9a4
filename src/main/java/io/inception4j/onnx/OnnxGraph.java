package io.inception4j.onnx;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The ONNX graph under construction: nodes in the order they are added (which is topological, as the DL4J
 * graph is walked in its own order) and the weights as float32 initializers. Tensor names are DL4J's vertex
 * names, with a suffix for the parts of a vertex ({@code inception_3a/1x1/W}), so a model viewer shows the
 * config's own names; each name is used once.
 */
final class OnnxGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    GraphProto.Builder proto() {
        return graph;
    }

    /** A fresh tensor name: {@code base}, or {@code base_2}, {@code base_3}... if taken. */
    String name(String base) {
        String n = base;
        for (int i = 2; !names.add(n); i++) n = base + "_" + i;
        return n;
    }

    /** Adds a node with one output, named after {@code outputBase}; returns the output's name. */
    String node(String op, String outputBase, String[] inputs, AttributeProto... attributes) {
        String out = name(outputBase);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String in : inputs) n.addInput(in);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
        return out;
    }

    /** Adds a node whose output has a fixed name (a graph output), which must still be free. */
    void nodeNamed(String op, String output, String[] inputs, AttributeProto... attributes) {
        if (!names.add(output)) throw new IllegalStateException("tensor name " + output + " is taken");
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String in : inputs) n.addInput(in);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
    }

    /** A float32 weight of the given shape, from {@code values} in row-major order (cast from any float type). */
    String weight(String base, INDArray values, long... shape) {
        if (values.length() != product(shape)) {
            throw new IllegalArgumentException(base + ": " + values.length() + " values for shape " + java.util.Arrays.toString(shape));
        }
        float[] f = values.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return weight(base, f, shape);
    }

    String weight(String base, float[] values, long... shape) {
        String n = name(base);
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN); // ONNX raw_data is little-endian
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : shape) t.addDims(d);
        graph.addInitializer(t);
        return n;
    }

    /** An int64 constant (shapes, pads). */
    String int64s(String base, long... values) {
        String n = name(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length);
        for (long v : values) t.addInt64Data(v);
        graph.addInitializer(t);
        return n;
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) value).build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto ints(String name, int... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int v : values) a.addInts(v);
        return a.build();
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) p *= d;
        return p;
    }
}
