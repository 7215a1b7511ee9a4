package io.inception4j.graph;

import java.util.List;

/**
 * One block type of the model-config language. Implementations are records bound from the YAML row (so
 * their components are the keys the row may have) and registered in {@link BlockRegistry}.
 */
public interface Block {
    /**
     * Adds this block's layers to the graph and returns its output.
     *
     * @param ctx    where to add layers; knows this block's name, the defaults, and where it stands in the YAML
     * @param inputs the outputs of the blocks named in {@code from} (or of the previous block)
     */
    Node build(BlockContext ctx, List<Node> inputs);
}
