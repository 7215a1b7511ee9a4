package io.inception4j.weights;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * A classifier's logits (before its softmax) in inference mode: what PyTorch models return, so that imported
 * weights can be compared with their source number for number (scripts/conformance).
 */
public final class Logits {
    private Logits() {}

    /** {@code input}'s logits at the output layer {@code output} (e.g. loss3/classifier) of {@code graph}. */
    public static INDArray of(ComputationGraph graph, String output, INDArray input) {
        List<String> inputs = graph.getConfiguration().getVertexInputs().get(output);
        if (inputs == null || inputs.size() != 1) throw new IllegalArgumentException(output + ": not a classifier with one input");
        Map<String, INDArray> acts = graph.feedForward(new INDArray[] {input}, false, false);
        INDArray features = acts.get(inputs.get(0));
        if (features.rank() != 2) features = features.reshape(features.size(0), -1);
        Layer layer = graph.getLayer(output);
        return features.mmul(layer.getParam("W")).addiRowVector(layer.getParam("b"));
    }
}
