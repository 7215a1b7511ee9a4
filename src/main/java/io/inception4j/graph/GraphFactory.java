package io.inception4j.graph;

import io.inception4j.backend.Backend;
import io.inception4j.config.BlockOrder;
import io.inception4j.config.ConfigException;
import io.inception4j.config.Loaded;
import io.inception4j.config.ModelConfig;
import io.inception4j.config.YamlDocument;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a DL4J {@code ComputationGraph} configuration from a model config: blocks in build order, each
 * given its input nodes and returning its output; the classifier heads become the graph's outputs, the
 * main one first.
 */
public final class GraphFactory {
    private final BlockRegistry registry;

    public GraphFactory(BlockRegistry registry) {
        this.registry = registry;
    }

    public static GraphFactory standard() {
        return new GraphFactory(BlockRegistry.standard());
    }

    public Blueprint blueprint(Loaded<ModelConfig> loaded, GraphOptions options) {
        Backend.ensureInitialised();
        try {
            return assemble(loaded.doc(), loaded.config(), options);
        } catch (BlockContext.ShapeException e) {
            throw new ConfigException(e.getMessage() + smallestInputHint(loaded, options));
        }
    }

    private Blueprint assemble(YamlDocument doc, ModelConfig model, GraphOptions options) {
        NeuralNetConfiguration.Builder nn = new NeuralNetConfiguration.Builder();
        if (options.gradClip() > 0) {
            nn.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(options.gradClip());
        }
        ComputationGraphConfiguration.GraphBuilder gb = nn
                .seed(options.seed())
                .updater(options.updater())
                .weightDecay(options.weightDecay(), true)
                .dataType(options.dataType())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .cacheMode(options.fastPath(FastPath.CACHE) ? CacheMode.DEVICE : CacheMode.NONE)
                .graphBuilder()
                .addInputs(BlockOrder.INPUT);
        InputType inputType = InputType.convolutional(model.height(), model.widthPx(), model.channels());
        BlockContext.GraphState state = new BlockContext.GraphState(doc, model, registry, gb, options);

        Map<String, Node> outputOf = new HashMap<>();
        // NCHW whatever the layout: in NHWC the layers that take the input turn it round (BlockContext).
        outputOf.put(BlockOrder.INPUT, new Node(BlockOrder.INPUT, inputType));
        List<String> heads = new ArrayList<>();
        List<BlockRecord> records = new ArrayList<>();
        var steps = BlockOrder.resolve(doc, model.blocks(),
                spec -> registry.role(doc, state.expand(spec)) != BlockRegistry.Role.TRUNK);
        for (BlockOrder.Step step : steps) {
            var spec = state.expand(step.spec());
            BlockRegistry.Role role = registry.role(doc, spec);
            if (role == BlockRegistry.Role.AUX_HEAD && !model.aux()) continue;
            List<Node> inputs = new ArrayList<>();
            for (String from : step.inputs()) {
                if (heads.contains(from)) {
                    throw doc.error(spec.pointer() + "/from", "'" + from + "' is a classifier head; no block can take its output");
                }
                Node n = outputOf.get(from);
                if (n == null) {
                    throw doc.error(spec.pointer() + "/from", "'" + from + "' is an auxiliary head, left out by aux: false");
                }
                inputs.add(n);
            }
            Block block = registry.bind(doc, spec);
            BlockRecord record = new BlockRecord(spec.id(), step.spec().type(), role == BlockRegistry.Role.AUX_HEAD);
            Node out = block.build(new BlockContext(state, spec.id(), spec.pointer(), record), inputs);
            record.output(out);
            records.add(record);
            outputOf.put(spec.id(), out);
            if (role != BlockRegistry.Role.TRUNK) heads.add(spec.id());
        }

        List<BlockContext.GraphState.Output> main = state.outputs().stream().filter(o -> !o.auxiliary()).toList();
        if (main.size() > 1) {
            throw doc.error("/blocks", "expected at most one main classifier (a block of type 'output'), found "
                    + main.stream().map(BlockContext.GraphState.Output::vertex).toList());
        }
        // Without a classifier the network is a feature extractor: its outputs are the trunk blocks nobody
        // consumes (the last one first), so examples may set variants side by side.
        String mainOutput = main.isEmpty() ? lastTrunk(records).output().vertex() : main.get(0).vertex();
        List<String> leaves = new ArrayList<>();
        if (main.isEmpty()) {
            for (BlockRecord r : records) {
                boolean consumed = steps.stream().anyMatch(s -> s.inputs().contains(r.id()));
                if (!consumed && !r.auxiliary() && !r.output().vertex().equals(mainOutput)) leaves.add(r.output().vertex());
            }
        }
        List<String> aux = state.outputs().stream().filter(BlockContext.GraphState.Output::auxiliary)
                .map(BlockContext.GraphState.Output::vertex).toList();
        List<String> outputs = new ArrayList<>();
        outputs.add(mainOutput);
        outputs.addAll(aux);
        outputs.addAll(leaves);
        gb.setOutputs(outputs.toArray(String[]::new));
        gb.setInputTypes(inputType);
        return new Blueprint(model, gb.build(), records, mainOutput, aux, !main.isEmpty());
    }

    private static BlockRecord lastTrunk(List<BlockRecord> records) {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (!records.get(i).auxiliary()) return records.get(i);
        }
        throw new IllegalStateException("no blocks");
    }

    /** When an input is too small for a network, find the smallest square input that builds. */
    private String smallestInputHint(Loaded<ModelConfig> loaded, GraphOptions options) {
        ModelConfig m = loaded.config();
        int smallest = smallestInput(loaded.doc(), m, options);
        if (smallest < 0) return "";
        String hint = "; the input " + m.height() + "x" + m.widthPx() + " is too small for " + m.name()
                + ": the smallest input that works is " + smallest + "x" + smallest;
        if (m.aux()) {
            ModelConfig noAux = m.withoutAux();
            int without = smallestInput(loaded.doc(), noAux, options);
            if (without > 0 && without < smallest) {
                hint += " (" + without + "x" + without + " without the auxiliary heads: --set model.aux=false)";
            }
        }
        return hint;
    }

    private int smallestInput(YamlDocument doc, ModelConfig m, GraphOptions options) {
        int lo = 1, hi = 4096;
        if (!fits(doc, m, options, hi)) return -1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (fits(doc, m, options, mid)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private boolean fits(YamlDocument doc, ModelConfig m, GraphOptions options, int size) {
        try {
            assemble(doc, m.withInput(List.of(size, size, m.channels())), options);
            return true;
        } catch (BlockContext.ShapeException e) {
            return false;
        }
    }
}
