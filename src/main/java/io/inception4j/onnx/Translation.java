package io.inception4j.onnx;

import io.inception4j.graph.layers.ChannelConcat;
import io.inception4j.graph.layers.ChannelsFirstFlatten;
import io.inception4j.graph.layers.ChannelsLast;
import io.inception4j.graph.layers.FastBatchNorm;
import io.inception4j.graph.layers.FastConv;
import io.inception4j.graph.layers.FastLrn;
import io.inception4j.graph.layers.FastMaxPool;
import io.inception4j.graph.layers.FastRelu;
import io.inception4j.graph.layers.FastReluActivation;
import io.inception4j.graph.layers.FastSeparableConv;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.inception4j.onnx.OnnxGraph.attr;
import static io.inception4j.onnx.OnnxGraph.ints;

/**
 * Walks a DL4J graph in its own topological order and writes each vertex's meaning as ONNX nodes, always in
 * NCHW: a network that holds its activations in NHWC ({@code model.layout: nhwc}) computes the same function
 * with the same parameters, so its layout is not exported, only what each layer computes. Each supported
 * layer, activation, vertex and preprocessor class is listed in one table below, by exact class (a subclass,
 * such as DL4J's 1-d convolution, may compute something else); anything not listed is refused, naming the vertex.
 *
 * <p>The DL4J semantics that differ from ONNX's defaults, each handled where it is mapped:
 * <ul>
 *   <li>{@code ConvolutionMode.Same} pads TensorFlow's way, the odd pixel at the bottom and right (at stride 2
 *       on an even input, 0 above and 1 below): written as explicit, possibly asymmetric pads.</li>
 *   <li>LRN: DL4J computes {@code k + alpha * sum}, ONNX {@code bias + alpha / size * sum}: alpha is multiplied
 *       by the window size.</li>
 *   <li>Average pooling leaves padding out of the divisor ({@code count_include_pad = 0}); our blocks count it
 *       by padding with real zeros first (a ZeroPaddingLayer, here Pad).</li>
 *   <li>Separable and depthwise convolutions are grouped convolutions with one group per input channel; DL4J's
 *       depthwise output channel c * m + j (channel c, multiplier j) is ONNX's too.</li>
 *   <li>Batch norm uses the running statistics (DL4J may store log10 of the standard deviation), either as a
 *       BatchNormalization node or folded into the convolution before it.</li>
 *   <li>Dense layers after a feature map flatten in NCHW order in both layouts ({@link ChannelsFirstFlatten}).</li>
 * </ul>
 */
final class Translation {

    /** Writes one layer vertex: its input tensor in, its output tensor out. */
    @FunctionalInterface
    private interface LayerForm {
        Tensor write(Translation t, Vertex v, Tensor input);
    }

    /**
     * An ONNX tensor and its shape without the batch dimension: [C, H, W] for a feature map (NCHW, whatever DL4J's
     * layout), [F] for features. Tracked here, in ONNX's terms, because "same" padding depends on the input size.
     */
    record Tensor(String name, long... dims) {
        long channels() {
            return dims[0];
        }

        Tensor renamed(String other) {
            return new Tensor(other, dims);
        }
    }

    /** A layer vertex as the mappings see it: DL4J's configuration and parameters. */
    private record Vertex(String name, Layer conf, org.deeplearning4j.nn.api.Layer layer) {
        INDArray param(String key) {
            return layer.getParam(key);
        }

        boolean has(String key) {
            return layer.paramTable().containsKey(key);
        }
    }

    /** Every layer class with an ONNX form (exact classes: see the class comment). */
    private static final Map<Class<? extends Layer>, LayerForm> LAYERS = Map.ofEntries(
            Map.entry(ConvolutionLayer.class, Translation::convolution),
            Map.entry(FastConv.class, Translation::convolution),
            Map.entry(SeparableConvolution2D.class, Translation::separable),
            Map.entry(FastSeparableConv.class, Translation::separable),
            Map.entry(DepthwiseConvolution2D.class, Translation::depthwise),
            Map.entry(SubsamplingLayer.class, Translation::pooling),
            Map.entry(FastMaxPool.class, Translation::pooling),
            Map.entry(ZeroPaddingLayer.class, Translation::zeroPadding),
            Map.entry(LocalResponseNormalization.class, Translation::lrn),
            Map.entry(FastLrn.class, Translation::lrn),
            Map.entry(BatchNormalization.class, Translation::batchNorm),
            Map.entry(FastBatchNorm.class, Translation::batchNorm),
            Map.entry(ActivationLayer.class, Translation::activationLayer),
            Map.entry(FastRelu.class, Translation::activationLayer),
            Map.entry(DropoutLayer.class, (t, v, in) -> in), // the identity at inference
            Map.entry(GlobalPoolingLayer.class, Translation::globalPooling),
            Map.entry(DenseLayer.class, Translation::dense),
            Map.entry(OutputLayer.class, Translation::output));

    static final String INPUT = "input", LOGITS = "logits", PROBABILITIES = "probabilities";

    private final ComputationGraph network;
    private final ComputationGraphConfiguration conf;
    private final boolean foldBatchNorm;
    private final OnnxGraph g = new OnnxGraph();
    /** The ONNX tensor that holds each DL4J vertex's output (several vertices may share one: dropout, folded BN). */
    private final Map<String, Tensor> tensorOf = new HashMap<>();
    private final InputType.InputTypeConvolutional input;
    /** Convolution vertex -> the batch-norm vertex folded into it. */
    private final Map<String, String> foldedInto = new HashMap<>();
    private String mainOutput;
    private long classes = -1;

    private Translation(ComputationGraph network, InputType.InputTypeConvolutional input, boolean foldBatchNorm) {
        this.network = network;
        this.conf = network.getConfiguration();
        this.foldBatchNorm = foldBatchNorm;
        this.input = input;
    }

    /**
     * The ONNX graph of {@code network}: one input {@code input} [N, 3, H, W], outputs {@code logits} and
     * {@code probabilities} [N, classes].
     *
     * @throws NoOnnxForm naming the first vertex that has no ONNX form
     */
    static OnnxGraph translate(ComputationGraph network, InputType.InputTypeConvolutional input, boolean foldBatchNorm) {
        return new Translation(network, input, foldBatchNorm).run();
    }

    private OnnxGraph run() {
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new NoOnnxForm("the network has " + conf.getNetworkInputs().size() + " inputs and " + conf.getNetworkOutputs().size()
                    + " outputs; an export takes one image input and one classifier (a bundle's network, without auxiliary heads)");
        }
        mainOutput = conf.getNetworkOutputs().get(0);
        if (foldBatchNorm) findFoldablePairs();
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex == null) { // the network input
                tensorOf.put(name, new Tensor(g.name(INPUT), input.getChannels(), input.getHeight(), input.getWidth()));
                continue;
            }
            List<Tensor> inputs = conf.getVertexInputs().get(name).stream().map(tensorOf::get).toList();
            tensorOf.put(name, write(name, vertex, inputs));
        }
        if (classes < 0) throw new NoOnnxForm("vertex '" + mainOutput + "': the network's output is not a softmax classifier (an output layer)");
        return g;
    }

    private Tensor write(String name, GraphVertex vertex, List<Tensor> inputs) {
        if (vertex instanceof LayerVertex lv) {
            Layer layer = lv.getLayerConf().getLayer();
            if (name.equals(mainOutput) && layer.getClass() != OutputLayer.class) {
                throw new NoOnnxForm("vertex '" + name + "' (" + layer.getClass().getSimpleName()
                        + "): the network's output must be a softmax output layer (the classifier)");
            }
            if (foldedInto.containsValue(name)) { // applied by the convolution before it; its ReLU, if any, after that
                return layer instanceof FastBatchNorm b && b.isReluAfter() ? activation(name, new FastReluActivation(), inputs.get(0)) : inputs.get(0);
            }
            LayerForm form = LAYERS.get(layer.getClass());
            if (form == null) throw unsupported(name, layer.getClass().getSimpleName(), "layer");
            Tensor in = preprocess(name, lv.getPreProcessor(), inputs.get(0));
            return form.write(this, new Vertex(name, layer, network.getLayer(name)), in);
        }
        if (vertex instanceof ChannelConcat || vertex.getClass() == MergeVertex.class) {
            // Always the channel axis: NCHW's 1 (ChannelConcat's 3 is the same axis in NHWC), or features' 1.
            long[] dims = inputs.get(0).dims().clone();
            dims[0] = inputs.stream().mapToLong(Tensor::channels).sum();
            return new Tensor(g.node("Concat", name, names(inputs), attr("axis", 1L)), dims);
        }
        if (vertex.getClass() == ElementWiseVertex.class) {
            return new Tensor(elementWise(name, ((ElementWiseVertex) vertex).getOp(), names(inputs)), inputs.get(0).dims());
        }
        if (vertex.getClass() == ScaleVertex.class) {
            // Inception-ResNet's residual scale: r * 0.17 before the sum.
            String scale = g.weight(name + "/scale", new float[] {(float) ((ScaleVertex) vertex).getScaleFactor()});
            return new Tensor(g.node("Mul", name, new String[] {inputs.get(0).name(), scale}), inputs.get(0).dims());
        }
        throw unsupported(name, vertex.getClass().getSimpleName(), "vertex");
    }

    private static NoOnnxForm unsupported(String vertex, String type, String kind) {
        return new NoOnnxForm("vertex '" + vertex + "' (" + type + "): this " + kind
                + " type has no ONNX form in inception4j's exporter");
    }

    private static String[] names(List<Tensor> tensors) {
        return tensors.stream().map(Tensor::name).toArray(String[]::new);
    }

    private String elementWise(String name, ElementWiseVertex.Op op, String[] in) {
        return switch (op) {
            case Add -> g.node(in.length == 2 ? "Add" : "Sum", name, in);
            case Subtract -> g.node("Sub", name, in);
            case Product -> in.length == 2 ? g.node("Mul", name, in) : throwUnsupported(name, "a product of " + in.length + " inputs");
            case Average -> g.node("Mean", name, in);
            case Max -> g.node("Max", name, in);
        };
    }

    private static String throwUnsupported(String name, String what) {
        throw new NoOnnxForm("vertex '" + name + "': " + what + " has no ONNX form in inception4j's exporter");
    }

    /** The layer's input preprocessor: a layout change (nothing in NCHW ONNX) or a flatten for a dense layer. */
    private Tensor preprocess(String name, InputPreProcessor pre, Tensor in) {
        if (pre == null || pre instanceof ChannelsLast) return in;
        long features = java.util.Arrays.stream(in.dims()).reduce(1, (a, b) -> a * b);
        if (pre instanceof ChannelsFirstFlatten) {
            return new Tensor(g.node("Flatten", name + "/flatten", new String[] {in.name()}, attr("axis", 1L)), features);
        }
        if (pre.getClass() == CnnToFeedForwardPreProcessor.class) {
            CnnToFeedForwardPreProcessor p = (CnnToFeedForwardPreProcessor) pre;
            String x = in.name();
            if (p.getFormat() == CNN2DFormat.NHWC) { // DL4J's own NHWC flatten goes row, column, channel: so must ours
                x = g.node("Transpose", name + "/to_nhwc", new String[] {x}, ints("perm", 0, 2, 3, 1));
            }
            return new Tensor(g.node("Flatten", name + "/flatten", new String[] {x}, attr("axis", 1L)), features);
        }
        throw unsupported(name, pre.getClass().getSimpleName(), "input preprocessor");
    }

    // ---- convolutions ----

    /** A window's padding and output size on one input: pads [top, left, bottom, right], output [H', W']. */
    private record Window(long[] pads, long[] out) {}

    /**
     * Same mode: ceil(in / stride) outputs and TensorFlow's pads, the odd one at the bottom and right (DL4J's
     * ConvolutionUtils.getSameModeTopLeftPadding and libnd4j's calcPadding2D agree). Truncate (and Strict): the
     * explicit pads on both sides, floor((in + 2p - k) / stride) + 1 outputs, as ONNX computes by default.
     */
    private static Window window(Vertex v, Tensor in, ConvolutionMode mode, int[] kernel, int[] stride, int[] dilation, int[] padding) {
        if (in.dims().length != 3) throw new NoOnnxForm("vertex '" + v.name() + "': a window over features, not a feature map");
        long[] pads = new long[4], out = new long[2];
        for (int d = 0; d < 2; d++) {
            long size = in.dims()[d + 1], effective = (long) (kernel[d] - 1) * dilation[d] + 1;
            if (mode == ConvolutionMode.Same) {
                out[d] = (size + stride[d] - 1) / stride[d];
                long total = Math.max(0, (out[d] - 1) * stride[d] + effective - size);
                pads[d] = total / 2;
                pads[d + 2] = total - total / 2;
            } else if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
                pads[d] = pads[d + 2] = padding[d];
                out[d] = (size + 2L * padding[d] - effective) / stride[d] + 1;
            } else {
                throw new NoOnnxForm("vertex '" + v.name() + "': convolution mode " + mode + " has no ONNX form in inception4j's exporter");
            }
        }
        return new Window(pads, out);
    }

    private static Tensor convolution(Translation t, Vertex v, Tensor in) {
        ConvolutionLayer c = (ConvolutionLayer) v.conf();
        INDArray w = v.param("W"); // [out, in, kH, kW] in both layouts
        INDArray b = c.hasBias() ? v.param("b") : null;
        String bn = t.foldedInto.get(v.name());
        Tensor out;
        if (bn != null) {
            Folded f = t.fold(bn, w, b);
            out = t.conv(v, c, in, t.g.weight(v.name() + "/W", f.weights(), w.shape()), t.g.weight(v.name() + "/b", f.bias(), w.size(0)),
                    w.size(0), 1, v.name());
        } else {
            out = t.conv(v, c, in, t.g.weight(v.name() + "/W", w, w.shape()), b == null ? null : t.g.weight(v.name() + "/b", b, w.size(0)),
                    w.size(0), 1, v.name() + (isIdentity(c.getActivationFn()) ? "" : "/conv"));
        }
        return t.activation(v.name(), c.getActivationFn(), out);
    }

    private Tensor conv(Vertex v, ConvolutionLayer c, Tensor in, String w, String b, long outChannels, long groups, String outName) {
        int[] k = c.getKernelSize(), s = c.getStride(), d = c.getDilation();
        Window win = window(v, in, c.getConvolutionMode(), k, s, d, c.getPadding());
        String[] inputs = b == null ? new String[] {in.name(), w} : new String[] {in.name(), w, b};
        String out = g.node("Conv", outName, inputs, ints("kernel_shape", k), ints("strides", s), ints("dilations", d),
                ints("pads", win.pads()), attr("group", groups));
        return new Tensor(out, outChannels, win.out()[0], win.out()[1]);
    }

    /** ONNX's grouped weights [C * m, 1, kH, kW]: DL4J's depthwise output channel c * m + j is ONNX's too. */
    private static long[] groupedShape(long channels, long multiplier, long kh, long kw) {
        return new long[] {channels * multiplier, 1, kh, kw};
    }

    private static Tensor separable(Translation t, Vertex v, Tensor in) {
        SeparableConvolution2D c = (SeparableConvolution2D) v.conf();
        INDArray depthwise = v.param("W"), pointwise = v.param("pW"); // [m, C, kH, kW] and [out, C * m, 1, 1]
        long m = depthwise.size(0), channels = depthwise.size(1);
        INDArray grouped = depthwise.permute(1, 0, 2, 3); // [C, m, kH, kW], row-major: channel c * m + j
        Tensor mid = t.conv(v, c, in, t.g.weight(v.name() + "/depthwise/W", grouped,
                groupedShape(channels, m, depthwise.size(2), depthwise.size(3))), null, channels * m, channels, v.name() + "/depthwise");
        String pw = t.g.weight(v.name() + "/pointwise/W", pointwise, pointwise.shape());
        String[] inputs = c.hasBias() ? new String[] {mid.name(), pw, t.g.weight(v.name() + "/b", v.param("b"), pointwise.size(0))}
                : new String[] {mid.name(), pw};
        String out = t.g.node("Conv", v.name() + (isIdentity(c.getActivationFn()) ? "" : "/pointwise"), inputs, ints("kernel_shape", 1, 1));
        return t.activation(v.name(), c.getActivationFn(), new Tensor(out, pointwise.size(0), mid.dims()[1], mid.dims()[2]));
    }

    private static Tensor depthwise(Translation t, Vertex v, Tensor in) {
        DepthwiseConvolution2D c = (DepthwiseConvolution2D) v.conf();
        INDArray w = v.param("W"); // [kH, kW, C, m]
        long channels = w.size(2), m = w.size(3);
        INDArray grouped = w.permute(2, 3, 0, 1); // [C, m, kH, kW]
        String b = c.hasBias() ? t.g.weight(v.name() + "/b", v.param("b"), channels * m) : null;
        Tensor out = t.conv(v, c, in, t.g.weight(v.name() + "/W", grouped, groupedShape(channels, m, w.size(0), w.size(1))), b,
                channels * m, channels, v.name() + (isIdentity(c.getActivationFn()) ? "" : "/conv"));
        return t.activation(v.name(), c.getActivationFn(), out);
    }

    // ---- batch norm, folded or not ----

    /** A batch norm's inference map y = scale * x + shift per channel, from its parameters and running statistics. */
    private record Affine(double[] scale, double[] shift, double[] gamma, double[] beta, double[] mean, double[] var, double eps) {}

    private Affine affine(String bnVertex) {
        BatchNormalization conf = (BatchNormalization) ((LayerVertex) this.conf.getVertices().get(bnVertex)).getLayerConf().getLayer();
        org.deeplearning4j.nn.api.Layer layer = network.getLayer(bnVertex);
        double[] mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).toDoubleVector();
        int c = mean.length;
        double[] var;
        if (layer.paramTable().containsKey(BatchNormalizationParamInitializer.GLOBAL_VAR)) {
            var = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).toDoubleVector();
        } else { // DL4J's default parameterisation: log10 of the standard deviation
            var = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).toDoubleVector();
            for (int i = 0; i < c; i++) var[i] = Math.pow(100, var[i]);
        }
        double[] gamma = new double[c], beta = new double[c];
        if (conf.isLockGammaBeta()) {
            java.util.Arrays.fill(gamma, conf.getGamma());
            java.util.Arrays.fill(beta, conf.getBeta());
        } else {
            gamma = layer.getParam(BatchNormalizationParamInitializer.GAMMA).toDoubleVector();
            beta = layer.getParam(BatchNormalizationParamInitializer.BETA).toDoubleVector();
        }
        double[] scale = new double[c], shift = new double[c];
        for (int i = 0; i < c; i++) {
            scale[i] = gamma[i] / Math.sqrt(var[i] + conf.getEps());
            shift[i] = beta[i] - scale[i] * mean[i];
        }
        return new Affine(scale, shift, gamma, beta, mean, var, conf.getEps());
    }

    private static Tensor batchNorm(Translation t, Vertex v, Tensor in) {
        Affine a = t.affine(v.name());
        int c = a.mean().length;
        String out = t.g.node("BatchNormalization", v.name(), new String[] {in.name(), t.g.weight(v.name() + "/scale", floats(a.gamma()), c),
                        t.g.weight(v.name() + "/B", floats(a.beta()), c), t.g.weight(v.name() + "/mean", floats(a.mean()), c),
                        t.g.weight(v.name() + "/var", floats(a.var()), c)},
                attr("epsilon", a.eps()));
        if (v.conf() instanceof FastBatchNorm b && b.isReluAfter()) { // the ReLU the layer applies itself
            return t.activation(v.name() + "/relu", new FastReluActivation(), in.renamed(out));
        }
        return in.renamed(out);
    }

    private record Folded(float[] weights, float[] bias) {}

    /** W' = W * scale (per output channel), b' = scale * b + shift: the convolution then the batch norm, in one. */
    private Folded fold(String bnVertex, INDArray w, INDArray b) {
        Affine a = affine(bnVertex);
        int out = (int) w.size(0);
        double[] weights = w.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
        int per = weights.length / out;
        float[] folded = new float[weights.length];
        for (int i = 0; i < weights.length; i++) folded[i] = (float) (weights[i] * a.scale()[i / per]);
        double[] bias = b == null ? new double[out] : b.toDoubleVector();
        float[] shifted = new float[out];
        for (int o = 0; o < out; o++) shifted[o] = (float) (a.scale()[o] * bias[o] + a.shift()[o]);
        return new Folded(folded, shifted);
    }

    /** Convolutions whose only consumer is a batch norm, with no activation between: foldable. */
    private void findFoldablePairs() {
        Map<String, List<String>> consumers = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> consumers.computeIfAbsent(i, x -> new ArrayList<>()).add(v)));
        for (var e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex bn) || !(bn.getLayerConf().getLayer() instanceof BatchNormalization)
                    || !LAYERS.containsKey(bn.getLayerConf().getLayer().getClass()) || bn.getPreProcessor() != null) continue;
            List<String> ins = conf.getVertexInputs().get(e.getKey());
            if (ins.size() != 1 || !(conf.getVertices().get(ins.get(0)) instanceof LayerVertex convVertex)) continue;
            Layer conv = convVertex.getLayerConf().getLayer();
            boolean plainConv = conv.getClass() == ConvolutionLayer.class || conv.getClass() == FastConv.class;
            if (plainConv && isIdentity(((ConvolutionLayer) conv).getActivationFn()) && consumers.get(ins.get(0)).size() == 1) {
                foldedInto.put(ins.get(0), e.getKey());
            }
        }
    }

    // ---- pooling, padding, normalisation ----

    private static Tensor pooling(Translation t, Vertex v, Tensor in) {
        SubsamplingLayer p = (SubsamplingLayer) v.conf();
        int[] k = p.getKernelSize(), s = p.getStride(), d = p.getDilation();
        if (d[0] != 1 || d[1] != 1) throw new NoOnnxForm("vertex '" + v.name() + "': dilated pooling has no ONNX form in inception4j's exporter");
        Window win = window(v, in, p.getConvolutionMode(), k, s, d, p.getPadding());
        long[] pads = win.pads();
        boolean padded = pads[0] + pads[1] + pads[2] + pads[3] > 0;
        String out;
        if (p.getPoolingType() == PoolingType.MAX) {
            // ONNX MaxPool never picks a padded position, nor does DL4J (libnd4j and oneDNN alike).
            out = t.g.node("MaxPool", v.name(), new String[] {in.name()}, ints("kernel_shape", k), ints("strides", s), ints("pads", pads));
        } else if (p.getPoolingType() == PoolingType.AVG) {
            if (padded && p.isAvgPoolIncludePadInDivisor()) {
                // DL4J's oneDNN helper leaves padding out of the divisor whatever this flag says, its own loops
                // follow the flag: which one runs decides the result. Our avgpool block pads with zeros first instead.
                throw new NoOnnxForm("vertex '" + v.name() + "': average pooling that counts padding in its divisor computes"
                        + " different results on DL4J's two code paths; build it as zero padding then unpadded pooling");
            }
            // Without padding of its own the flag means nothing, and 1 is then what keeps ONNX Runtime right: 1.19 and
            // 1.20 fuse a Pad before an AveragePool into its pads without setting the flag (onnxruntime#22177, fixed
            // in 1.21), which turned our counted zero padding (Pad, then this pool) into uncounted padding.
            out = t.g.node("AveragePool", v.name(), new String[] {in.name()}, ints("kernel_shape", k), ints("strides", s), ints("pads", pads),
                    attr("count_include_pad", padded ? 0L : 1L));
        } else {
            throw new NoOnnxForm("vertex '" + v.name() + "': " + p.getPoolingType() + " pooling has no ONNX form in inception4j's exporter");
        }
        return new Tensor(out, in.channels(), win.out()[0], win.out()[1]);
    }

    private static Tensor zeroPadding(Translation t, Vertex v, Tensor in) {
        int[] p = ((ZeroPaddingLayer) v.conf()).getPadding(); // top, bottom, left, right
        String pads = t.g.int64s(v.name() + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
        return new Tensor(t.g.node("Pad", v.name(), new String[] {in.name(), pads}), in.channels(), in.dims()[1] + p[0] + p[1],
                in.dims()[2] + p[2] + p[3]);
    }

    private static Tensor lrn(Translation t, Vertex v, Tensor in) {
        LocalResponseNormalization l = (LocalResponseNormalization) v.conf();
        double n = l.getN();
        if (n != Math.rint(n) || n < 1 || ((long) n) % 2 == 0) {
            throw new NoOnnxForm("vertex '" + v.name() + "': LRN over " + n + " channels; ONNX's window matches DL4J's for an odd whole number only");
        }
        // DL4J: x / (k + alpha * sum)^beta. ONNX: x / (bias + alpha / size * sum)^beta. So alpha times the size.
        return in.renamed(t.g.node("LRN", v.name(), new String[] {in.name()}, attr("size", (long) n), attr("alpha", l.getAlpha() * n),
                attr("beta", l.getBeta()), attr("bias", l.getK())));
    }

    private static Tensor globalPooling(Translation t, Vertex v, Tensor in) {
        GlobalPoolingLayer p = (GlobalPoolingLayer) v.conf();
        if (in.dims().length != 3 || !p.isCollapseDimensions()) {
            throw new NoOnnxForm("vertex '" + v.name() + "': global pooling of anything but a feature map to features has no ONNX form"
                    + " in inception4j's exporter");
        }
        String op = switch (p.getPoolingType()) {
            case AVG -> "GlobalAveragePool";
            case MAX -> "GlobalMaxPool";
            default -> throwUnsupported(v.name(), p.getPoolingType() + " global pooling");
        };
        String pooled = t.g.node(op, v.name() + "/pool", new String[] {in.name()});
        return new Tensor(t.g.node("Flatten", v.name(), new String[] {pooled}, attr("axis", 1L)), in.channels());
    }

    // ---- fully connected ----

    private static Tensor dense(Translation t, Vertex v, Tensor in) {
        DenseLayer d = (DenseLayer) v.conf();
        Tensor out = t.gemm(v, in, v.name() + (isIdentity(d.getActivationFn()) ? "" : "/gemm"), d.hasBias());
        return t.activation(v.name(), d.getActivationFn(), out);
    }

    /** X [N, in] times DL4J's W [in, out], plus b. */
    private Tensor gemm(Vertex v, Tensor in, String outName, boolean bias) {
        INDArray w = v.param("W");
        if (in.dims().length != 1 || in.channels() != w.size(0)) {
            throw new NoOnnxForm("vertex '" + v.name() + "': a fully connected layer on " + java.util.Arrays.toString(in.dims())
                    + " without a flatten before it has no ONNX form in inception4j's exporter");
        }
        String[] inputs = bias ? new String[] {in.name(), g.weight(v.name() + "/W", w, w.shape()), g.weight(v.name() + "/b", v.param("b"), w.size(1))}
                : new String[] {in.name(), g.weight(v.name() + "/W", w, w.shape())};
        if (outName.equals(LOGITS)) {
            g.nodeNamed("Gemm", LOGITS, inputs);
            return new Tensor(LOGITS, w.size(1));
        }
        return new Tensor(g.node("Gemm", outName, inputs), w.size(1));
    }

    /** The classifier: logits (its pre-activation) and the softmax of them, both graph outputs when it is the network's output. */
    private static Tensor output(Translation t, Vertex v, Tensor in) {
        OutputLayer o = (OutputLayer) v.conf();
        if (!(o.getActivationFn() instanceof ActivationSoftmax)) {
            throw new NoOnnxForm("vertex '" + v.name() + "': an output layer with activation " + o.getActivationFn()
                    + " (a classifier's is softmax) has no ONNX form in inception4j's exporter");
        }
        boolean main = v.name().equals(t.mainOutput);
        Tensor logits = t.gemm(v, in, main ? LOGITS : v.name() + "/logits", o.hasBias());
        if (!main) return logits.renamed(t.g.node("Softmax", v.name(), new String[] {logits.name()}, attr("axis", 1L)));
        t.classes = logits.channels();
        t.g.nodeNamed("Softmax", PROBABILITIES, new String[] {logits.name()}, attr("axis", 1L));
        return logits.renamed(PROBABILITIES);
    }

    // ---- activations ----

    private static Tensor activationLayer(Translation t, Vertex v, Tensor in) {
        IActivation a = ((ActivationLayer) v.conf()).getActivationFn();
        return isIdentity(a) ? in : in.renamed(t.activation(v.name(), a, in.name(), v.name()));
    }

    /** The layer's own activation applied to its pre-activation {@code in}, as the vertex's output. */
    private Tensor activation(String vertex, IActivation a, Tensor in) {
        return isIdentity(a) ? in : in.renamed(activation(vertex, a, in.name(), vertex));
    }

    private static boolean isIdentity(IActivation a) {
        return a instanceof ActivationIdentity;
    }

    private String activation(String vertex, IActivation a, String in, String outName) {
        if (a.getClass() == ActivationReLU.class || a.getClass() == FastReluActivation.class) {
            ActivationReLU r = (ActivationReLU) a;
            boolean plain = (r.getMax() == null || r.getMax().isInfinite()) && (r.getThreshold() == null || r.getThreshold() == 0)
                    && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0);
            if (plain) return g.node("Relu", outName, new String[] {in});
        } else if (a.getClass() == ActivationReLU6.class) {
            return g.node("Clip", outName, new String[] {in, g.weight(vertex + "/min", new float[] {0}), g.weight(vertex + "/max", new float[] {6})});
        } else if (a.getClass() == ActivationTanH.class) {
            return g.node("Tanh", outName, new String[] {in});
        } else if (a.getClass() == ActivationSigmoid.class) {
            return g.node("Sigmoid", outName, new String[] {in});
        } else if (a.getClass() == ActivationSwish.class) {
            String sigmoid = g.node("Sigmoid", vertex + "/sigmoid", new String[] {in});
            return g.node("Mul", outName, new String[] {in, sigmoid});
        } else if (a.getClass() == ActivationELU.class) {
            return g.node("Elu", outName, new String[] {in}, attr("alpha", ((ActivationELU) a).getAlpha()));
        }
        throw new NoOnnxForm("vertex '" + vertex + "': activation " + a + " has no ONNX form in inception4j's exporter");
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
