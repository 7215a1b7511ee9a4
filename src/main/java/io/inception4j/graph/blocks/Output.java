package io.inception4j.graph.blocks;

import io.inception4j.config.WeightInit;
import io.inception4j.graph.Block;
import io.inception4j.graph.BlockContext;
import io.inception4j.graph.Node;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;

/**
 * {@code type: output}: the classifier, a fully connected layer to {@code model.classes} with softmax and
 * cross-entropy, scaled by {@code weight} (1 for the main head).
 *
 * <p>DL4J sums the scores of a graph's outputs with no per-output weight. A cross-entropy whose per-class
 * weights all equal w scales both the score and the gradient by exactly w, which is what an auxiliary loss
 * weight means; so the weight lives in the loss function and travels with the saved model.
 */
public record Output(Double weight, WeightInit init) implements Block {
    @Override
    public Node build(BlockContext ctx, List<Node> inputs) {
        return classifier(ctx, ctx.single(inputs), weight == null ? 1.0 : weight, false);
    }

    Node classifier(BlockContext ctx, Node in, double w, boolean auxiliary) {
        if (w < 0) throw ctx.error("weight", "expected a loss weight of 0 or more, got " + w);
        int classes = ctx.model().classes();
        LossMCXENT loss = w == 1.0 ? new LossMCXENT() : new LossMCXENT(Nd4j.valueArrayOf(new long[] {1, classes}, w));
        Node out = ctx.layer(new OutputLayer.Builder(loss)
                .nOut(classes)
                .activation(Activation.SOFTMAX)
                .weightInit(Dl4j.init(init == null ? ctx.defaults().conv().init() : init))
                .build(), in);
        ctx.output(out, auxiliary, w);
        return out;
    }
}
