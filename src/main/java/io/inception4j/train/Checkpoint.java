package io.inception4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint as read back ({@link Checkpoints#load}).
 *
 * @param graph the network with its raw (trained) parameters, as training continues from them
 * @param ema   the moving average of the parameters, or null when the run keeps none
 */
public record Checkpoint(ComputationGraph graph, TrainingState state, String modelYaml, List<String> labels, Path file,
                         INDArray ema) {
    /** The network with the parameters to evaluate and export: the moving average when there is one. */
    public ComputationGraph evaluationGraph() {
        if (ema != null) graph.params().assign(ema.reshape(graph.params().shape()));
        return graph;
    }
}
