package io.inception4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.files.AtomicFiles;
import io.inception4j.report.Charts;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classification results on one split: top-1, top-5, per-class accuracy and the confusion matrix, computed
 * with DL4J's {@link Evaluation}, and written as CSV, JSON and PNG.
 *
 * @param crops   crops per image whose softmax was averaged (1: the single centre crop)
 * @param members the models of an ensemble whose softmax was averaged (empty: the one model evaluated)
 */
public record EvalReport(String split, List<String> classes, int images, double top1, double top5,
                         List<Double> perClass, int[][] confusion, int crops, List<String> members) {

    /** Accumulates predictions batch by batch. */
    public static final class Builder {
        private final Evaluation eval;
        private final List<String> classes;
        private final String split;
        private int images;

        public Builder(String split, List<String> classes) {
            this.split = split;
            this.classes = classes;
            this.eval = new Evaluation(classes, Math.min(5, classes.size()));
        }

        public Builder add(INDArray oneHotLabels, INDArray probabilities) {
            eval.eval(oneHotLabels, probabilities);
            images += (int) oneHotLabels.size(0);
            return this;
        }

        public EvalReport build() {
            int n = classes.size();
            int[][] m = new int[n][n];
            List<Double> perClass = new ArrayList<>();
            for (int a = 0; a < n; a++) {
                int total = 0;
                for (int p = 0; p < n; p++) {
                    m[a][p] = eval.getConfusionMatrix().getCount(a, p);
                    total += m[a][p];
                }
                perClass.add(total == 0 ? Double.NaN : m[a][a] / (double) total);
            }
            return new EvalReport(split, classes, images, images == 0 ? Double.NaN : eval.accuracy(),
                    images == 0 ? Double.NaN : eval.topNAccuracy(), perClass, m, 1, List.of());
        }
    }

    /** The same results, as measured with {@code crops} crops per image and averaged over {@code members}. */
    public EvalReport withProtocol(int crops, List<String> members) {
        return new EvalReport(split, classes, images, top1, top5, perClass, confusion, crops, List.copyOf(members));
    }

    /** One line for logs and the command line; the crops and the ensemble's size follow when there are several. */
    public String headline() {
        String protocol = crops == 1 && members.size() < 2 ? ""
                : " (" + crops + (crops == 1 ? " crop" : " crops") + (members.size() < 2 ? "" : ", ensemble of " + members.size()) + ")";
        return String.format(Locale.ROOT, "%s: top-1 %.2f%%, top-5 %.2f%% on %d images%s", split, 100 * top1, 100 * top5, images, protocol);
    }

    /**
     * The start of this report's file names: the split, then the crops and "ensemble" when they are not the
     * single model's single crop ({@code test}, {@code test-144crops}, {@code test-10crops-ensemble}), so that
     * the protocols' reports sit side by side.
     */
    public String fileStem() {
        return split + (crops == 1 ? "" : "-" + crops + "crops") + (members.size() < 2 ? "" : "-ensemble");
    }

    /** A per-class table for the terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder(headline()).append('\n');
        for (int i = 0; i < classes.size(); i++) {
            sb.append(String.format(Locale.ROOT, "  %-14s %6.1f%%%n", classes.get(i), 100 * perClass.get(i)));
        }
        return sb.toString();
    }

    /**
     * Writes {stem}-metrics.json, {stem}-per-class.csv, {stem}-confusion.csv and .png into {@code dir}, the stem
     * being {@link #fileStem()}.
     */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("split", split).put("images", images).put("top1", top1).put("top5", top5).put("crops", crops);
        if (!members.isEmpty()) members.forEach(json.putArray("members")::add);
        String stem = fileStem();
        AtomicFiles.writeString(dir.resolve(stem + "-metrics.json"), json.toPrettyString() + "\n");
        StringBuilder pc = new StringBuilder("class,accuracy,images\n");
        StringBuilder cm = new StringBuilder("true\\predicted," + String.join(",", classes) + "\n");
        for (int a = 0; a < classes.size(); a++) {
            int total = 0;
            StringBuilder row = new StringBuilder(classes.get(a));
            for (int p = 0; p < classes.size(); p++) {
                total += confusion[a][p];
                row.append(',').append(confusion[a][p]);
            }
            pc.append(String.format(Locale.ROOT, "%s,%.4f,%d%n", classes.get(a), perClass.get(a), total));
            cm.append(row).append('\n');
        }
        AtomicFiles.writeString(dir.resolve(stem + "-per-class.csv"), pc.toString());
        AtomicFiles.writeString(dir.resolve(stem + "-confusion.csv"), cm.toString());
        Charts.confusion(dir.resolve(stem + "-confusion.png"), classes, confusion);
    }
}
