package io.inception4j.graph.blocks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Activation;
import io.inception4j.config.WeightInit;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.DenseLayer;

import java.util.List;

/** {@code type: dense}: a fully connected layer with bias (an image input is flattened first). */
public record Dense(@JsonProperty(required = true) Integer units, Activation activation, WeightInit init) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        Counts.atLeastOne(ctx, "units", units, 0);
        return ctx.layer(new DenseLayer.Builder()
                .nOut(ctx.scaled(units))
                .activation(Dl4j.activation(ctx, activation == null ? Activation.RELU : activation))
                .weightInit(Dl4j.init(init == null ? ctx.defaults().conv().init() : init))
                .build(), ctx.single(inputs));
    }
}
