package io.inception4j.graph;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A per-block table of a built network: id, type, output shape, parameters (counted in the built DL4J graph)
 * and multiply-adds (from the tracked shapes), with totals with and without the auxiliary heads.
 */
public record ModelSummary(String model, String input, List<Row> rows, long totalParams, long auxParams,
                           long macs, long auxMacs) {

    public record Row(String id, String type, String output, long params, long macs, boolean auxiliary, String notes) {}

    public static ModelSummary of(Blueprint bp, ComputationGraph graph) {
        List<Row> rows = new ArrayList<>();
        long auxParams = 0, macs = 0, auxMacs = 0;
        for (BlockRecord r : bp.blocks()) {
            long params = 0;
            for (String v : r.vertices()) {
                Layer layer = graph.getLayer(v);
                if (layer != null) params += layer.numParams();
            }
            rows.add(new Row(r.id(), r.type(), r.output().shape(), params, r.macs(), r.auxiliary(), String.join("; ", r.notes())));
            if (r.auxiliary()) {
                auxParams += params;
                auxMacs += r.macs();
            } else {
                macs += r.macs();
            }
        }
        var m = bp.model();
        return new ModelSummary(m.name(), m.height() + "x" + m.widthPx() + "x" + m.channels(), List.copyOf(rows),
                graph.numParams(), auxParams, macs, auxMacs);
    }

    /** Parameters of the network as exported for inference (auxiliary heads removed). */
    public long paramsWithoutAux() {
        return totalParams - auxParams;
    }

    public Row row(String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no block " + id));
    }

    /** The table as printed by {@code inception4j summary}. */
    public String render() {
        int idW = Math.max(5, rows.stream().mapToInt(r -> r.id().length() + (r.auxiliary() ? 2 : 0)).max().orElse(5));
        int typeW = Math.max(4, rows.stream().mapToInt(r -> r.type().length()).max().orElse(4));
        String fmt = "%-" + idW + "s  %-" + typeW + "s  %-12s  %13s  %17s  %s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s, input %s%n%n", model, input));
        sb.append(String.format(Locale.ROOT, fmt, "block", "type", "output", "parameters", "multiply-adds", "notes"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, (r.auxiliary() ? "* " : "") + r.id(), r.type(), r.output(),
                    group(r.params()), group(r.macs()), r.notes()));
        }
        sb.append('\n');
        if (auxParams == 0) {
            sb.append(String.format(Locale.ROOT, "parameters: %s%n", group(totalParams)));
            sb.append(String.format(Locale.ROOT, "multiply-adds per image: %s (%.2f G)%n", group(macs), macs / 1e9));
        } else {
            sb.append(String.format(Locale.ROOT, "parameters: %s with auxiliary heads, %s without%n",
                    group(totalParams), group(paramsWithoutAux())));
            sb.append(String.format(Locale.ROOT, "multiply-adds per image: %s (%.2f G) without auxiliary heads, %s with%n",
                    group(macs), macs / 1e9, group(macs + auxMacs)));
            sb.append("* auxiliary head: used in training only, removed on export\n");
        }
        return sb.toString();
    }

    static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
