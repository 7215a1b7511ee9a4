package io.inception4j.graph;

import io.inception4j.Models;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The arithmetic behind Inception's design, from the shipped configs/examples, as `summary` shows it. */
class ExampleArithmeticTest {
    static ModelSummary summary(String example) {
        Blueprint bp = Models.blueprint("configs/examples/" + example + ".yaml");
        return ModelSummary.of(bp, bp.create());
    }

    @Test
    void aOneByOneReductionCutsTheFiveByFiveWeightsFourfold() {
        assertEquals(819_200L, summary("conv5x5-direct").row("conv5x5").params());
        ModelSummary reduced = summary("conv5x5-reduced");
        assertEquals(204_800L, reduced.row("conv5x5").params());
        assertEquals(4_096L, reduced.row("reduce1x1").params());
    }

    @Test
    void reductionsMakeTheModuleCheaperAndTheFiveByFiveBranchAboutTenTimesCheaper() {
        ModelSummary naive = summary("inception-naive");
        ModelSummary reduced = summary("inception-reduced");
        // The 5x5 branch alone (28x28x192 -> 32): 120.4 M versus 12.4 M multiply-adds, 9.7x.
        assertEquals(120_422_400L, naive.row("input_5x5").macs());
        assertEquals(12_443_648L, reduced.row("reduced_5x5").macs());
        assertEquals(9.68, (double) naive.row("input_5x5").macs() / reduced.row("reduced_5x5").macs(), 0.01);
        // The whole module with inception_3a's widths: 303.5 M versus 128.0 M (2.4x), and a narrower output.
        assertEquals(303_464_448L, naive.row("naive_3a").macs());
        assertEquals(128_049_152L, reduced.row("inception_3a").macs());
        assertEquals("28x28x416", naive.row("naive_3a").output());
        assertEquals("28x28x256", reduced.row("inception_3a").output());
    }

    @Test
    void factorisingSevenBySevenCostsTwentyEightPointSixPercent() {
        ModelSummary s = summary("factorized-7x7");
        double ratio = (double) (s.row("conv1x7").macs() + s.row("conv7x1").macs()) / s.row("conv7x7").macs();
        assertEquals(14.0 / 49, ratio, 1e-9);
        assertEquals(0.286, ratio, 0.0005);
        assertEquals("17x17x192", s.row("conv7x1").output(), "same padding keeps asymmetric kernels' size");
    }

    @Test
    void factorisingThreeByThreeCostsSixtySevenPercent() {
        ModelSummary s = summary("factorized-3x3");
        double ratio = (double) (s.row("conv1x3").params() + s.row("conv3x1").params()) / s.row("conv3x3").params();
        assertEquals(0.667, ratio, 0.0005);
    }
}
