package io.inception4j.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * What one top-level block added to the graph: its vertices (to count their parameters in the built
 * graph), its multiply-adds (from the tracked shapes), its output, and remarks for the summary.
 */
public final class BlockRecord {
    private final String id;
    private final String type;
    private final boolean auxiliary;
    private final List<String> vertices = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long macs;
    private Node output;

    BlockRecord(String id, String type, boolean auxiliary) {
        this.id = id;
        this.type = type;
        this.auxiliary = auxiliary;
    }

    void add(String vertex, long macs) {
        vertices.add(vertex);
        this.macs += macs;
    }

    void output(Node node) {
        this.output = node;
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public boolean auxiliary() {
        return auxiliary;
    }

    public List<String> vertices() {
        return vertices;
    }

    public List<String> notes() {
        return notes;
    }

    public long macs() {
        return macs;
    }

    public Node output() {
        return output;
    }
}
