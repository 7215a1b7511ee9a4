/**
 * Configuration as data: YAML files bound to immutable records, strictly validated, with every error
 * naming file, line, column and key. This package knows nothing of DL4J; the graph package turns a
 * {@link io.inception4j.config.ModelConfig} into a network.
 *
 * <p>Flow: {@link io.inception4j.config.YamlDocument} parses a file and remembers where every value
 * stands; {@link io.inception4j.config.Overrides} applies {@code --set key=value} to its tree;
 * {@link io.inception4j.config.Binder} binds the tree to records and turns Jackson's errors into
 * {@link io.inception4j.config.ConfigException}s that point at the source.
 */
package io.inception4j.config;
