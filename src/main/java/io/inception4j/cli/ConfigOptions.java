package io.inception4j.cli;

import io.inception4j.config.Overrides;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Options every command that reads configs shares. */
public final class ConfigOptions {
    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override any config value, e.g. --set model.classes=17, --set model.input=[128,128,3], "
                    + "--set model.aux=false, --set model.blocks.inception_3a.pool_proj=64. Repeatable.")
    List<String> sets = new ArrayList<>();

    /** The overrides, checked to address only the namespaces {@code command} reads (e.g. model.* for summary). */
    public Overrides overrides(String command, String... namespaces) {
        Overrides o = Overrides.parse(sets);
        o.requireNamespaces(command, java.util.List.of(namespaces));
        return o;
    }
}
