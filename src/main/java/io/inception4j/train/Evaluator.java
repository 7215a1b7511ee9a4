package io.inception4j.train;

import io.inception4j.data.BatchIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;

/** Runs the main classifier over a split (centre crops, no dropout) and reports. */
public final class Evaluator {
    private Evaluator() {}

    public static EvalReport evaluate(ComputationGraph graph, BatchIterator batches, String split, List<String> classes) {
        EvalReport.Builder report = new EvalReport.Builder(split, classes);
        batches.reset();
        while (batches.hasNext()) {
            MultiDataSet b = batches.next();
            INDArray[] out = graph.output(false, b.getFeatures());
            report.add(b.getLabels(0), out[0]);
            BatchIterator.release(b);
            for (INDArray o : out) if (o.closeable()) o.close();
        }
        return report.build();
    }
}
