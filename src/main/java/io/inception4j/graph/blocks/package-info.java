/**
 * The block types of the model-config language, one record each. A record's components are the keys its
 * YAML row may have (snake_case in YAML); its {@code build} adds DL4J layers through the
 * {@link io.inception4j.graph.BlockContext} and returns its output node. Registered in
 * {@link io.inception4j.graph.BlockRegistry}.
 */
package io.inception4j.graph.blocks;
