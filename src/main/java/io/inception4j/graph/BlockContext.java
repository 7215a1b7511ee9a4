package io.inception4j.graph;

import io.inception4j.config.Binder;
import io.inception4j.config.BlockOrder;
import io.inception4j.config.BlockSpec;
import io.inception4j.config.ConfigException;
import io.inception4j.config.Defaults;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.TensorLayout;
import io.inception4j.config.YamlDocument;
import io.inception4j.graph.layers.ChannelsFirstFlatten;
import io.inception4j.graph.layers.ChannelsLast;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a block sees while it builds: its own name and place in the YAML, the model's defaults, and the
 * means to add layers. Every layer added here gets its input type from its inputs' tracked shapes (DL4J's
 * own shape arithmetic), so blocks never state an input width, and a layer that cannot take its input fails
 * here, naming the block's line in the YAML.
 */
public final class BlockContext {
    private final GraphState state;
    private final String name;
    private final String pointer;
    private final BlockRecord record;

    BlockContext(GraphState state, String name, String pointer, BlockRecord record) {
        this.state = state;
        this.name = name;
        this.pointer = pointer;
        this.record = record;
    }

    /** The vertex name of this block's main layer, e.g. {@code inception_3a/3x3_reduce}. */
    public String name() {
        return name;
    }

    /** A context for a part of this block, named {@code <this>/<part>}, reporting errors at the same YAML row. */
    public BlockContext part(String part) {
        return new BlockContext(state, name + "/" + part, pointer, record);
    }

    /** A context for a nested block row (a branch element, an aux head layer), reporting errors at that row. */
    public BlockContext nested(BlockSpec spec, String defaultPart) {
        String part = spec.id() == null ? defaultPart : spec.id();
        return new BlockContext(state, name + "/" + part, spec.pointer(), record);
    }

    /** Binds and builds a nested block row. */
    public Node build(BlockSpec spec, String defaultPart, List<Node> inputs) {
        spec = state.expand(spec);
        BlockContext child = nested(spec, defaultPart);
        Block block = state.registry().bind(state.doc(), spec);
        return block.build(child, inputs);
    }

    public ModelConfig model() {
        return state.model();
    }

    public Defaults defaults() {
        return state.model().defaults();
    }

    /** Whether to build our faster layer ({@link io.inception4j.graph.layers}) for {@code p} in place of DL4J's. */
    public boolean fastPath(FastPath p) {
        return state.options().fastPath(p);
    }

    /** A layer width after the model's width multiplier (never below 1). */
    public int scaled(int width) {
        return Math.max(1, (int) Math.round(width * state.model().width()));
    }

    /** How the network holds its activations ({@code model.layout}). */
    public TensorLayout layout() {
        return state.model().layout();
    }

    /** Adds {@code layer} as vertex {@link #name()}. */
    public Node layer(Layer layer, Node... inputs) {
        return layerNamed(name, layer, inputs);
    }

    /** Adds {@code layer} as vertex {@code <name>/<suffix>}. */
    public Node layer(String suffix, Layer layer, Node... inputs) {
        return layerNamed(name + "/" + suffix, layer, inputs);
    }

    private Node layerNamed(String vertex, Layer layer, Node... inputs) {
        if (inputs.length != 1) throw new IllegalArgumentException("a layer takes one input, got " + inputs.length);
        InputType in = inputs[0].type();
        InputType out;
        InputPreProcessor pre;
        try {
            pre = layer.getPreProcessorForInputType(in);
            if (pre == null && takesNetworkInputInNhwc(inputs[0])) pre = new ChannelsLast();
            if (pre instanceof CnnToFeedForwardPreProcessor && in instanceof InputType.InputTypeConvolutional c
                    && c.getFormat() == CNN2DFormat.NHWC) {
                pre = new ChannelsFirstFlatten(c.getHeight(), c.getWidth(), c.getChannels());
            }
            InputType effective = pre == null ? in : pre.getOutputType(in);
            layer.setNIn(effective, false);
            out = layer.getOutputType(-1, effective);
        } catch (RuntimeException e) {
            throw new ShapeException(where() + ": " + "'" + vertex + "' cannot take its " + inputs[0].shape()
                    + " input: " + firstLine(e.getMessage()));
        }
        if (pre instanceof ChannelsFirstFlatten || pre instanceof ChannelsLast) state.builder().addLayer(vertex, layer, pre, inputs[0].vertex());
        else state.builder().addLayer(vertex, layer, inputs[0].vertex());
        Node node = new Node(vertex, out);
        record.add(vertex, Macs.of(layer, in, out));
        state.shapes().put(vertex, node);
        return node;
    }

    /**
     * Whether {@code in} is the network's input, NCHW images, going into an NHWC network: the layer that takes it
     * turns it round itself ({@link ChannelsLast} as its preprocessor). Not an extra vertex: the vertices, and
     * so DL4J's order of the parameters, stay those of the NCHW network, and checkpoints load into either.
     */
    private boolean takesNetworkInputInNhwc(Node in) {
        return layout() == TensorLayout.NHWC && in.vertex().equals(BlockOrder.INPUT) && in.type() instanceof InputType.InputTypeConvolutional;
    }

    /** Adds a parameter-free vertex (merge, element-wise, scale) as {@code <name>/<suffix>}, or {@link #name()} if suffix is null. */
    public Node vertex(String suffix, GraphVertex vertex, Node... inputs) {
        String vname = suffix == null ? name : name + "/" + suffix;
        if (Arrays.stream(inputs).anyMatch(this::takesNetworkInputInNhwc)) {
            throw error(null, "with model.layout nhwc, '" + vname + "' cannot take the network's input directly: put a layer"
                    + " (a conv) before it, or use model.layout: nchw");
        }
        InputType out;
        try {
            out = vertex.getOutputType(-1, Arrays.stream(inputs).map(Node::type).toArray(InputType[]::new));
        } catch (RuntimeException e) {
            throw new ShapeException(where() + ": '" + vname + "' cannot combine inputs "
                    + Arrays.stream(inputs).map(Node::shape).toList() + ": " + firstLine(e.getMessage()));
        }
        state.builder().addVertex(vname, vertex, Arrays.stream(inputs).map(Node::vertex).toArray(String[]::new));
        record.add(vname, 0);
        Node node = new Node(vname, out);
        state.shapes().put(vname, node);
        return node;
    }

    /** Marks {@code node} (an output layer) as a network output; the main output is the one with weight 1. */
    public void output(Node node, boolean auxiliary, double weight) {
        state.outputs().add(new GraphState.Output(node.vertex(), auxiliary, weight));
    }

    /** The single input of a block that takes one; blocks that take several say so themselves. */
    public Node single(List<Node> inputs) {
        if (inputs.size() != 1) {
            throw error("from", "a " + record.type() + " block takes one input, but 'from' names " + inputs.size()
                    + " (to combine several, put them in a 'branches' block)");
        }
        return inputs.get(0);
    }

    /** A remark the summary shows in this block's row (e.g. an adaptation to the input size). */
    public void note(String text) {
        record.notes().add(text);
    }

    /** An error about key {@code key} of this block's row ({@code null}: the row itself). */
    public ConfigException error(String key, String message) {
        return state.doc().error(key == null ? pointer : pointer + "/" + key, message);
    }

    /** An error about a shape that cannot work at this block; the factory adds the smallest input that would. */
    public ShapeException shapeError(String key, String message) {
        return new ShapeException(error(key, message).getMessage());
    }

    private String where() {
        return state.doc().where(pointer) + ": block '" + record.id() + "'";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** What the factory shares with every block while one graph is built. */
    record GraphState(YamlDocument doc, ModelConfig model, BlockRegistry registry,
                      ComputationGraphConfiguration.GraphBuilder builder, GraphOptions options,
                      java.util.Map<String, Node> shapes, List<Output> outputs) {
        record Output(String vertex, boolean auxiliary, double weight) {}

        GraphState(YamlDocument doc, ModelConfig model, BlockRegistry registry,
                   ComputationGraphConfiguration.GraphBuilder builder, GraphOptions options) {
            this(doc, model, registry, builder, options, new java.util.HashMap<>(), new ArrayList<>());
        }

        /** The row itself, or the block its template stands for; an unknown type names types and templates. */
        BlockSpec expand(BlockSpec spec) {
            if (!model.templates().containsKey(spec.type()) && !registry.knows(spec.type())) {
                List<String> known = new ArrayList<>(registry.types());
                List<String> templates = model.templates().keySet().stream().sorted().toList();
                known.addAll(templates);
                throw doc.error(spec.pointer() + "/type", "unknown block type " + Binder.quote(spec.type())
                        + io.inception4j.config.Suggestions.didYouMean(spec.type(), known)
                        + "; known types: " + String.join(", ", registry.types())
                        + (templates.isEmpty() ? "" : "; templates in this file: " + String.join(", ", templates)));
            }
            return io.inception4j.config.Template.expand(doc, model.templates(), spec);
        }
    }

    /** A shape that cannot work (a kernel larger than its input, a merge of mismatched sizes). */
    public static final class ShapeException extends ConfigException {
        public ShapeException(String message) {
            super(message);
        }
    }
}
