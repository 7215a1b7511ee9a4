package io.inception4j.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Evaluation numbers against a case worked out by hand. */
class EvalReportTest {
    @Test
    void topOneTopFivePerClassAndConfusionMatchAHandComputedCase() {
        List<String> classes = List.of("a", "b", "c", "d", "e", "f");
        // Four images. Probabilities rank the classes; the true class is marked *.
        float[][] p = {
                {0.50f, 0.20f, 0.10f, 0.10f, 0.05f, 0.05f},  // true a*: rank 1 -> top-1 hit
                {0.40f, 0.30f, 0.10f, 0.10f, 0.06f, 0.04f},  // true b*: rank 2 -> top-5 hit, predicted a
                {0.30f, 0.25f, 0.20f, 0.15f, 0.07f, 0.03f},  // true f*: rank 6 -> miss both, predicted a
                {0.05f, 0.05f, 0.60f, 0.10f, 0.10f, 0.10f}}; // true c*: rank 1 -> top-1 hit
        int[] truth = {0, 1, 5, 2};
        var labels = Nd4j.zeros(DataType.FLOAT, 4, 6);
        for (int i = 0; i < 4; i++) labels.putScalar(i, truth[i], 1);
        EvalReport r = new EvalReport.Builder("test", classes).add(labels, Nd4j.createFromArray(p)).build();

        assertEquals(4, r.images());
        assertEquals(2 / 4.0, r.top1(), 1e-12);
        assertEquals(3 / 4.0, r.top5(), 1e-12);
        assertEquals(1.0, r.perClass().get(0));  // a: 1 of 1
        assertEquals(0.0, r.perClass().get(1));  // b: 0 of 1
        assertEquals(1.0, r.perClass().get(2));  // c: 1 of 1
        assertEquals(0.0, r.perClass().get(5));  // f: 0 of 1
        assertEquals(Double.NaN, r.perClass().get(3)); // d: no images
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, r.confusion()[0]);
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, r.confusion()[1]);
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, r.confusion()[5]);
        assertArrayEquals(new int[] {0, 0, 1, 0, 0, 0}, r.confusion()[2]);
    }
}
