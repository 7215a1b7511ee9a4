package io.inception4j.graph;

import io.inception4j.config.Binder;
import io.inception4j.config.BlockSpec;
import io.inception4j.config.Suggestions;
import io.inception4j.config.YamlDocument;
import io.inception4j.graph.blocks.Act;
import io.inception4j.graph.blocks.Add;
import io.inception4j.graph.blocks.AuxHead;
import io.inception4j.graph.blocks.BatchNorm;
import io.inception4j.graph.blocks.DepthwiseConv;
import io.inception4j.graph.blocks.InceptionV2Module;
import io.inception4j.graph.blocks.Residual;
import io.inception4j.graph.blocks.SeparableConv;
import io.inception4j.graph.blocks.AvgPool;
import io.inception4j.graph.blocks.Branches;
import io.inception4j.graph.blocks.Conv;
import io.inception4j.graph.blocks.Dense;
import io.inception4j.graph.blocks.Dropout;
import io.inception4j.graph.blocks.GlobalAvgPool;
import io.inception4j.graph.blocks.InceptionV1Module;
import io.inception4j.graph.blocks.Lrn;
import io.inception4j.graph.blocks.MaxPool;
import io.inception4j.graph.blocks.Output;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every block type a model config may name, in one visible list: the YAML {@code type:} on the left, the
 * class that builds it on the right. Adding a block type means writing one record and adding one line here.
 */
public final class BlockRegistry {

    /** Where a block type may stand in a network. */
    public enum Role {
        /** An ordinary block: the next block takes its output unless it says {@code from}. */
        TRUNK,
        /** A classifier head: an output of the network, never the implicit input of the next block. */
        HEAD,
        /** An auxiliary classifier head: like HEAD, and left out when the model says {@code aux: false}. */
        AUX_HEAD
    }

    public record Entry(String type, Class<? extends Block> impl, Role role, String summary) {}

    private static final BlockRegistry STANDARD = new BlockRegistry()
            .register("conv", Conv.class, Role.TRUNK, "convolution, then batch norm if configured, then activation")
            .register("maxpool", MaxPool.class, Role.TRUNK, "max pooling")
            .register("avgpool", AvgPool.class, Role.TRUNK, "average pooling (fixed window, or adaptive to an output size)")
            .register("global_avgpool", GlobalAvgPool.class, Role.TRUNK, "average over all positions: HxWxC to C")
            .register("lrn", Lrn.class, Role.TRUNK, "local response normalisation across channels (Caffe convention)")
            .register("dense", Dense.class, Role.TRUNK, "fully connected layer")
            .register("dropout", Dropout.class, Role.TRUNK, "dropout with a drop probability")
            .register("branches", Branches.class, Role.TRUNK, "parallel branches of blocks, concatenated by channel")
            .register("inception", InceptionV1Module.class, Role.TRUNK, "GoogLeNet's Inception module, by the paper's table columns")
            .register("separable_conv", SeparableConv.class, Role.TRUNK, "depthwise then pointwise convolution (Xception), then BN and activation")
            .register("depthwise_conv", DepthwiseConv.class, Role.TRUNK, "one filter (or depth_multiplier) per input channel")
            .register("batchnorm", BatchNorm.class, Role.TRUNK, "batch normalisation")
            .register("activation", Act.class, Role.TRUNK, "an activation function on its own")
            .register("add", Add.class, Role.TRUNK, "element-wise sum of the blocks in 'from'")
            .register("residual", Residual.class, Role.TRUNK, "x + scale * r: Inception-ResNet blocks, Xception's residual units")
            .register("inception_bn", InceptionV2Module.class, Role.TRUNK, "BN-Inception's module, by the paper's table columns")
            .register("output", Output.class, Role.HEAD, "classifier: fully connected to the classes, softmax, weighted cross-entropy")
            .register("aux_head", AuxHead.class, Role.AUX_HEAD, "auxiliary classifier: its blocks, then a weighted classifier");

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public static BlockRegistry standard() {
        return STANDARD;
    }

    private BlockRegistry register(String type, Class<? extends Block> impl, Role role, String summary) {
        entries.put(type, new Entry(type, impl, role, summary));
        return this;
    }

    public Collection<Entry> entries() {
        return entries.values();
    }

    public boolean knows(String type) {
        return entries.containsKey(type);
    }

    /** The registered type names, in registration order. */
    public List<String> types() {
        return List.copyOf(entries.keySet());
    }

    /** The role of a block type; unknown types are reported with the known ones. */
    public Role role(YamlDocument doc, BlockSpec spec) {
        return entry(doc, spec).role();
    }

    /** Binds a block row's parameters to its type's record. */
    public Block bind(YamlDocument doc, BlockSpec spec) {
        Entry e = entry(doc, spec);
        return Binder.bind(doc, spec.pointer(), spec.params(), e.impl(), "a " + e.type() + " block");
    }

    private Entry entry(YamlDocument doc, BlockSpec spec) {
        Entry e = entries.get(spec.type());
        if (e == null) {
            throw doc.error(spec.pointer() + "/type", "unknown block type " + Binder.quote(spec.type())
                    + Suggestions.didYouMean(spec.type(), entries.keySet())
                    + "; known types: " + String.join(", ", entries.keySet()));
        }
        return e;
    }

}
