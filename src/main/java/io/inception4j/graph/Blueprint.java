package io.inception4j.graph;

import io.inception4j.config.ModelConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * A network configured but not yet allocated: DL4J's configuration plus what each block added, which
 * {@link ModelSummary} reports.
 *
 * @param mainOutput      the vertex of the main classifier (first output of the graph)
 * @param auxOutputs      the vertices of the auxiliary classifiers, in graph output order after the main one
 * @param classifier      whether the main output is a classifier (an {@code output} block) rather than features
 */
public record Blueprint(ModelConfig model, ComputationGraphConfiguration configuration, List<BlockRecord> blocks,
                        String mainOutput, List<String> auxOutputs, boolean classifier) {

    /** Allocates and initialises the parameters. */
    public ComputationGraph create() {
        ComputationGraph graph = new ComputationGraph(configuration);
        graph.init();
        io.inception4j.graph.layers.FastConvLayer.skipUnusedInputGradients(graph);
        return graph;
    }

    /** Number of graph outputs: the main classifier plus the auxiliary ones. */
    public int outputCount() {
        return 1 + auxOutputs.size();
    }
}
