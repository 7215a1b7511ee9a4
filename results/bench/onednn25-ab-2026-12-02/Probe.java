// The per-layer probe behind results/bench/README.md's oneDNN 2.5 section (2026-12-02, about 10:45 UTC, alone):
// libnd4j's conv2d / conv2d_bp against oneDNN 2.5's forward, backward-data and backward-weights (direct, NHWC,
// weights reordered from oihw) on GoogLeNet and Inception v3 layer shapes; prints the best of REPS calls each and
// the largest relative difference. Run from the repository root (classpath: the project's plus the dnnl and
// opencl jars, which the pom now brings):
//   mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt && mkdir -p /tmp/probe &&
//   javac -cp "$(cat /tmp/cp.txt)" -d /tmp/probe results/bench/onednn25-ab-2026-12-02/Probe.java &&
//   LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 java -Dblock=true -cp "$(cat /tmp/cp.txt):/tmp/probe" Probe 4
// (-Dcase=N runs one shape; -Dblock=false interleaves the ops instead of timing each in a block.)
import org.bytedeco.javacpp.*;
import org.bytedeco.dnnl.*;
import static org.bytedeco.dnnl.global.dnnl.*;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

public class Probe {
    static void ck(int s, String what) { if (s != dnnl_success) throw new RuntimeException(what + " status " + s); }
    static dnnl_memory_desc_t md(long[] dims, int tag) { dnnl_memory_desc_t m = new dnnl_memory_desc_t(); ck(dnnl_memory_desc_init_by_tag(m, dims.length, dims, dnnl_f32, tag), "md"); return m; }
    static dnnl_engine eng; static dnnl_stream stream;
    static dnnl_memory mem(dnnl_memory_desc_t m, INDArray a) { dnnl_memory r = new dnnl_memory(); ck(dnnl_memory_create(r, m, eng, a == null ? new Pointer() : a.data().addressPointer()), "mem"); return r; }
    static String impl(dnnl_primitive_desc pd) { PointerPointer<BytePointer> p = new PointerPointer<>(1); ck(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, p), "q"); return p.get(BytePointer.class, 0).getString(); }
    static void exec(dnnl_primitive p, int[] args, dnnl_memory[] mems) {
        dnnl_exec_arg_t a = new dnnl_exec_arg_t(args.length);
        for (int i = 0; i < args.length; i++) a.position(i).arg(args[i]).memory(mems[i]);
        a.position(0);
        ck(dnnl_primitive_execute(p, stream, args.length, a), "exec"); ck(dnnl_stream_wait(stream), "wait");
    }
    public static void main(String[] a) throws Exception {
        Nd4j.create(1); // load nd4j first
        dnnl_engine e = new dnnl_engine(); ck(dnnl_engine_create(e, dnnl_cpu, 0), "engine"); eng = e;
        stream = new dnnl_stream(); ck(dnnl_stream_create(stream, eng, dnnl_stream_default_flags), "stream");
        int only = Integer.getInteger("case", -1); int[][] cases = {
            // N, C, H, K, k, s, p
            {32, 64, 56, 192, 3, 1, 1},
            {32, 3, 224, 64, 7, 2, 3},
            {32, 96, 28, 128, 3, 1, 1},
            {32, 192, 28, 64, 1, 1, 0},
            {32, 480, 14, 192, 1, 1, 0},
            {32, 112, 14, 224, 3, 1, 1},
            {16, 128, 17, 128, 1, 1, 0, 7, 3},
            {16, 128, 17, 192, 7, 1, 3, 1, 0},
            {16, 768, 17, 192, 1, 1, 0},
            {16, 288, 35, 384, 3, 2, 0},
            {16, 64, 35, 96, 3, 1, 1},
            {16, 32, 147, 64, 3, 1, 1},
            {16, 3, 299, 32, 3, 2, 0},
            {16, 2048, 8, 320, 1, 1, 0},
        };
        int reps = Integer.parseInt(a.length > 0 ? a[0] : "5");
        for (int ci = 0; ci < cases.length; ci++) { if (only >= 0 && ci != only) continue; int[] c = cases[ci];
            int N = c[0], C = c[1], H = c[2], K = c[3], k = c[4], s = c[5], p = c[6]; int kw = c.length > 7 ? c[7] : k, pw = c.length > 8 ? c[8] : p;
            int OH = (H + 2 * p - k) / s + 1, OW = (H + 2 * pw - kw) / s + 1;
            INDArray x = Nd4j.rand(DataType.FLOAT, N, H, H, C), w = Nd4j.rand(DataType.FLOAT, K, C, k, kw).subi(0.5), b = Nd4j.rand(DataType.FLOAT, K);
            INDArray d = Nd4j.rand(DataType.FLOAT, N, OH, OW, K).subi(0.5);
            INDArray gi = Nd4j.create(DataType.FLOAT, N, H, H, C), gw = Nd4j.create(DataType.FLOAT, K, C, k, kw), gb = Nd4j.create(DataType.FLOAT, K);
            INDArray z = Nd4j.create(DataType.FLOAT, N, OH, OW, K);
            int[] args = {k, kw, s, s, p, pw, 1, 1, 0, 1, 1};
            Runnable nd4jFwd = () -> Nd4j.getExecutioner().exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(z).addIntegerArguments(args).build());
            Runnable nd4jBp = () -> Nd4j.getExecutioner().exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, d).addOutputs(gi, gw, gb).addIntegerArguments(args).build());
            // oneDNN 2.5 direct, NHWC
            long[] sd = {N, C, H, H}, wd = {K, C, k, kw}, dd = {N, K, OH, OW}, bd = {K};
            long[] st = {s, s}, pl = {p, pw}, pr; // symmetric here
            // padding right as oneDNN wants: (OH-1)*s + k - H - p
            long prr = (long) (OH - 1) * s + k - H - p; pr = new long[] {prr, (long) (OW - 1) * s + kw - H - pw};
            dnnl_memory_desc_t srcMd = md(sd, dnnl_nhwc), dstMd = md(dd, dnnl_nhwc), wAny = md(wd, dnnl_format_tag_any), wOihw = md(wd, dnnl_oihw), bMd = md(bd, dnnl_x);
            int alg = Integer.getInteger("alg", dnnl_convolution_direct);
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            ck(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, alg, srcMd, wAny, bMd, dstMd, st, pl, pr), "fd");
            dnnl_primitive_desc fpd = new dnnl_primitive_desc(); ck(dnnl_primitive_desc_create(fpd, new const_dnnl_op_desc_t(fd), null, eng, null), "fpd");
            dnnl_convolution_desc_t bdd = new dnnl_convolution_desc_t();
            ck(dnnl_convolution_backward_data_desc_init(bdd, alg, srcMd, wAny, dstMd, st, pl, pr), "bdd");
            dnnl_primitive_desc bdpd = new dnnl_primitive_desc(); ck(dnnl_primitive_desc_create(bdpd, new const_dnnl_op_desc_t(bdd), null, eng, fpd), "bdpd");
            dnnl_convolution_desc_t bwd = new dnnl_convolution_desc_t();
            ck(dnnl_convolution_backward_weights_desc_init(bwd, alg, srcMd, wAny, bMd, dstMd, st, pl, pr), "bwd");
            dnnl_primitive_desc bwpd = new dnnl_primitive_desc(); ck(dnnl_primitive_desc_create(bwpd, new const_dnnl_op_desc_t(bwd), null, eng, fpd), "bwpd");
            dnnl_primitive fp = new dnnl_primitive(), bdp = new dnnl_primitive(), bwp = new dnnl_primitive();
            ck(dnnl_primitive_create(fp, fpd), "fp"); ck(dnnl_primitive_create(bdp, bdpd), "bdp"); ck(dnnl_primitive_create(bwp, bwpd), "bwp");
            INDArray z2 = Nd4j.create(DataType.FLOAT, N, OH, OW, K), gi2 = Nd4j.create(DataType.FLOAT, N, H, H, C), gw2 = Nd4j.create(DataType.FLOAT, K, C, k, kw), gb2 = Nd4j.create(DataType.FLOAT, K);
            dnnl_memory_desc_t fw = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0), bdw = dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0), bww = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
            System.out.println("same fwd/bd weights md: " + dnnl_memory_desc_equal(fw, bdw) + " fwd/bw " + dnnl_memory_desc_equal(fw, bww));
            INDArray wBlk = Nd4j.create(DataType.FLOAT, dnnl_memory_desc_get_size(fw) / 4), gwBlk = Nd4j.create(DataType.FLOAT, dnnl_memory_desc_get_size(bww) / 4);
            dnnl_memory mwOihw = mem(wOihw, w), mwB = mem(fw, wBlk), mgwB = mem(bww, gwBlk);
            dnnl_primitive_desc r1pd = new dnnl_primitive_desc(), r2pd = new dnnl_primitive_desc();
            ck(dnnl_reorder_primitive_desc_create(r1pd, wOihw, eng, fw, eng, null), "r1"); ck(dnnl_reorder_primitive_desc_create(r2pd, bww, eng, wOihw, eng, null), "r2");
            dnnl_primitive r1 = new dnnl_primitive(), r2 = new dnnl_primitive(); ck(dnnl_primitive_create(r1, r1pd), "r1p"); ck(dnnl_primitive_create(r2, r2pd), "r2p");
            INDArray wBd = Nd4j.create(DataType.FLOAT, dnnl_memory_desc_get_size(bdw) / 4); dnnl_memory mwBd = mem(bdw, wBd);
            dnnl_primitive_desc r3pd = new dnnl_primitive_desc(); ck(dnnl_reorder_primitive_desc_create(r3pd, wOihw, eng, bdw, eng, null), "r3"); dnnl_primitive r3 = new dnnl_primitive(); ck(dnnl_primitive_create(r3, r3pd), "r3p");
            dnnl_memory mw = mwB, mx = mem(srcMd, x), mb = mem(bMd, b), mz = mem(dstMd, z2), md_ = mem(dstMd, d), mgi = mem(srcMd, gi2), mgwO = mem(wOihw, gw2), mgw = mgwB, mgb = mem(bMd, gb2);
            Runnable dFwd = () -> { exec(r1, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {mwOihw, mwB}); exec(fp, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST}, new dnnl_memory[] {mx, mw, mb, mz}); };
            Runnable dBd = () -> { exec(r3, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {mwOihw, mwBd}); exec(bdp, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC}, new dnnl_memory[] {md_, mwBd, mgi}); };
            Runnable dBw = () -> { exec(bwp, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS}, new dnnl_memory[] {mx, md_, mgw, mgb}); exec(r2, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {mgwB, mgwO}); };
            String[] names = {"nd4j fwd", "nd4j bp", "dnnl fwd", "dnnl bwd-data", "dnnl bwd-weights"};
            Runnable[] rs = {nd4jFwd, nd4jBp, dFwd, dBd, dBw};
            double[] best = new double[rs.length]; java.util.Arrays.fill(best, 1e9);
            for (int i = 0; i < rs.length; i++) { System.out.println("warm " + names[i]); System.out.flush(); rs[i].run(); }
            if (Boolean.getBoolean("block")) { for (int i = 0; i < rs.length; i++) for (int rep = 0; rep < reps; rep++) { long t = System.nanoTime(); rs[i].run(); best[i] = Math.min(best[i], (System.nanoTime() - t) / 1e6); } } else for (int rep = 0; rep < reps; rep++) for (int i = 0; i < rs.length; i++) { long t = System.nanoTime(); rs[i].run(); best[i] = Math.min(best[i], (System.nanoTime() - t) / 1e6); }
            System.out.printf("N%d C%d H%d K%d k%dx%d s%d: ", N, C, H, K, k, kw, s);
            for (int i = 0; i < rs.length; i++) System.out.printf("%s %.1f ms; ", names[i], best[i]);
            System.out.printf("%n   impl fwd=%s bd=%s bw=%s | maxdiff z %.2e gi %.2e gw %.2e gb %.2e%n", impl(fpd), impl(bdpd), impl(bwpd),
                z.sub(z2).amaxNumber().doubleValue() / z.amaxNumber().doubleValue(), gi.sub(gi2).amaxNumber().doubleValue() / gi.amaxNumber().doubleValue(),
                gw.sub(gw2).amaxNumber().doubleValue() / gw.amaxNumber().doubleValue(), gb.sub(gb2).amaxNumber().doubleValue() / gb.amaxNumber().doubleValue());
        }
    }
}
