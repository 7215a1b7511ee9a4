package io.inception4j.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a block list into build order: expands {@code repeat}, resolves each block's inputs (the previous
 * block unless {@code from} names others), and checks that ids are unique, that every {@code from} names a
 * block, and that the blocks form no cycle. Pure data: no DL4J here.
 */
public final class BlockOrder {
    /** The id blocks use to name the network input in {@code from}. */
    public static final String INPUT = "input";

    /** A block with its inputs resolved. */
    public record Step(BlockSpec spec, List<String> inputs) {}

    private BlockOrder() {}

    /**
     * @param isHead tells which block types are heads (classifiers): a head is never the implicit input of
     *               the block after it, so an auxiliary head can sit beside the trunk.
     */
    public static List<Step> resolve(YamlDocument doc, List<BlockSpec> blocks, java.util.function.Predicate<BlockSpec> isHead) {
        Map<String, Step> byId = new LinkedHashMap<>();
        String previous = INPUT;
        for (BlockSpec b : blocks) {
            List<BlockSpec> copies = new ArrayList<>();
            if (!b.repeatIds().isEmpty()) {
                for (int i = 0; i < b.repeatIds().size(); i++) copies.add(b.withIdAndFrom(b.repeatIds().get(i), i == 0 ? b.from() : List.of()));
            } else if (b.id() == null) {
                throw doc.error(b.pointer(), "missing required key 'id' (every top-level block needs one)");
            } else if (b.repeat() == 1) {
                copies.add(b);
            } else {
                for (int i = 1; i <= b.repeat(); i++) copies.add(b.withIdAndFrom(b.id() + "_" + i, i == 1 ? b.from() : List.of()));
            }
            for (BlockSpec c : copies) {
                if (c.id().equals(INPUT) || byId.containsKey(c.id())) {
                    throw doc.error(c.pointer() + "/id", "duplicate block id " + Binder.quote(c.id()));
                }
                List<String> inputs = c.from().isEmpty() ? List.of(previous) : c.from();
                byId.put(c.id(), new Step(c, inputs));
                if (!isHead.test(c)) previous = c.id();
            }
        }
        for (Step s : byId.values()) {
            for (String in : s.inputs()) {
                if (!in.equals(INPUT) && !byId.containsKey(in)) {
                    List<String> known = new ArrayList<>(byId.keySet());
                    known.add(INPUT);
                    throw doc.error(s.spec().pointer() + "/from", "no block with id " + Binder.quote(in)
                            + Suggestions.didYouMean(in, known));
                }
            }
        }
        return topological(doc, byId);
    }

    private static List<Step> topological(YamlDocument doc, Map<String, Step> byId) {
        List<Step> order = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 = on the current path, 2 = done
        for (String id : byId.keySet()) visit(doc, id, byId, state, new ArrayDeque<>(), order);
        return order;
    }

    private static void visit(YamlDocument doc, String id, Map<String, Step> byId, Map<String, Integer> state,
                              Deque<String> path, List<Step> order) {
        if (id.equals(INPUT) || state.getOrDefault(id, 0) == 2) return;
        Step step = byId.get(id);
        if (state.getOrDefault(id, 0) == 1) {
            List<String> cycle = new ArrayList<>(path);
            cycle = cycle.subList(cycle.indexOf(id), cycle.size());
            throw doc.error(step.spec().pointer() + "/from", "blocks form a cycle: "
                    + String.join(" -> ", cycle) + " -> " + id);
        }
        state.put(id, 1);
        path.addLast(id);
        for (String in : step.inputs()) visit(doc, in, byId, state, path, order);
        path.removeLast();
        state.put(id, 2);
        order.add(step);
    }
}
