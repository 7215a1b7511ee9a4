package io.inception4j.graph.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

public class ScratchConvBench {
    public static void main(String[] args) { new ScratchConvBench().bench(); }
    static void exec(String op, INDArray[] in, INDArray[] out, int... args) {
        Nd4j.exec(DynamicCustomOp.builder(op).addInputs(in).addOutputs(out).addIntegerArguments(args).callInplace(false).build());
    }
    @Test
    public void bench() {
        io.inception4j.backend.Backend.ensureInitialised();
        int[][] shapes = {{32, 56, 64, 192, 3, 1}, {32, 28, 128, 192, 3, 1}, {32, 14, 160, 320, 3, 1}, };
        for (int[] sh : shapes) {
            int n = sh[0], h = sh[1], ci = sh[2], co = sh[3], k = sh[4], s = sh[5];
            int oh = (h + s - 1) / s;
            INDArray x = Nd4j.rand(DataType.FLOAT, n, h, h, ci), w = Nd4j.rand(DataType.FLOAT, co, ci, k, k).subi(0.5);
            INDArray g = Nd4j.rand(DataType.FLOAT, n, oh, oh, co), z = Nd4j.create(DataType.FLOAT, n, oh, oh, co);
            INDArray gi = Nd4j.create(DataType.FLOAT, n, h, h, ci), gw = Nd4j.create(DataType.FLOAT, co, ci, k, k);
            int[] a = {k, k, s, s, k / 2, k / 2, 1, 1, 1, 1, 1};
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                exec("conv2d", new INDArray[] {x, w}, new INDArray[] {z}, a);
                long t1 = System.nanoTime();
                exec("conv2d_bp", new INDArray[] {x, w, g}, new INDArray[] {gi, gw}, a);
                long t2 = System.nanoTime();
                int chunk = 8;
                INDArray gwSum = Nd4j.zeros(DataType.FLOAT, co, ci, k, k), gwc = Nd4j.create(DataType.FLOAT, co, ci, k, k);
                for (int c = 0; c < n; c += chunk) {
                    INDArray xc = x.get(NDArrayIndex.interval(c, c + chunk)), gc = g.get(NDArrayIndex.interval(c, c + chunk));
                    INDArray gic = gi.get(NDArrayIndex.interval(c, c + chunk));
                    exec("conv2d_bp", new INDArray[] {xc, w, gc}, new INDArray[] {gic, gwc}, a);
                    gwSum.addi(gwc);
                }
                long t3 = System.nanoTime();
                // grad input as deconv2d (direct), weights format 1 = [iC_deconv, oC_deconv, kH, kW]
                INDArray gi2 = Nd4j.create(DataType.FLOAT, n, h, h, ci);
                int p = k / 2;
                exec("deconv2d", new INDArray[] {g, w}, new INDArray[] {gi2}, k, k, s, s, p, p, 1, 1, 0, 1, 1);
                long t4 = System.nanoTime();
                System.out.printf("SCRATCH %s fwd %.1f bp %.1f bp-chunked %.1f (gw diff %.2e) deconv-gi %.1f (gi diff %.2e)%n", java.util.Arrays.toString(sh),
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, gwSum.sub(gw).amaxNumber().doubleValue() / gw.amaxNumber().doubleValue(),
                        (t4 - t3) / 1e6, gi2.sub(gi).amaxNumber().doubleValue() / gi.amaxNumber().doubleValue());
            }
        }
    }
}
