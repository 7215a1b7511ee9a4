package io.inception4j.graph;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * DL4J's ComputationGraph updater, kept on its own fast path.
 *
 * <p>Why: DL4J 1.0.0-M2.1's updater treats a gradient as "external" (computed by another network) when
 * {@code gradient.gradient()} is not the very array of the network's flattened gradients, and a ComputationGraph's
 * gradient never is: {@code DefaultGradient.gradient()} returns a new reshaped view of it on every call. The updater
 * then rebuilds, on every step, the views of every block and of every parameter (twice, for regularization before
 * and after the update), about 2,000 small arrays for GoogLeNet, instead of the views it built once. Here a
 * gradient over the network's own flattened array is passed as the array itself: the same arithmetic on the same
 * memory in the same order (exact resume holds across the two), without the rebuilding. A gradient over any other
 * array stays external, as in DL4J.
 */
public final class GraphUpdater extends ComputationGraphUpdater {

    private GraphUpdater(ComputationGraph graph, INDArray state) {
        super(graph, state);
    }

    /**
     * Gives a graph about to be trained this updater, carrying over the state of the one it has (a checkpoint's
     * momentum, for example); no-op if it has this one already.
     */
    public static void install(ComputationGraph graph) {
        ComputationGraphUpdater current = graph.getUpdater(false);
        if (current instanceof GraphUpdater) return;
        graph.setUpdater(new GraphUpdater(graph, current == null ? null : current.getStateViewArray()));
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize, LayerWorkspaceMgr workspaceMgr) {
        super.update(overOwnArray(gradient) ? new Own(gradient, getFlattenedGradientsView()) : gradient, iteration, epoch,
                batchSize, workspaceMgr);
    }

    /** Whether this gradient's flattened array is (a view of all of) the network's own. */
    boolean overOwnArray(Gradient gradient) {
        INDArray own = getFlattenedGradientsView();
        INDArray flat = gradient.gradient();
        return flat != null && own != null && flat.length() == own.length()
                && flat.data().addressPointer().address() == own.data().addressPointer().address();
    }

    /** The gradient, whose flattened array is the network's own array object (not a new view of it). */
    private record Own(Gradient delegate, INDArray flattened) implements Gradient {
        @Override public Map<String, INDArray> gradientForVariable() { return delegate.gradientForVariable(); }
        @Override public INDArray gradient(List<String> order) { return delegate.gradient(order); }
        @Override public INDArray gradient() { return flattened; }
        @Override public void clear() { delegate.clear(); }
        @Override public INDArray getGradientFor(String variable) { return delegate.getGradientFor(variable); }
        @Override public INDArray setGradientFor(String variable, INDArray g) { return delegate.setGradientFor(variable, g); }
        @Override public INDArray setGradientFor(String variable, INDArray g, Character order) { return delegate.setGradientFor(variable, g, order); }
        @Override public Character flatteningOrderForVariable(String variable) { return delegate.flatteningOrderForVariable(variable); }
    }
}
