package io.inception4j;

import io.inception4j.config.ModelConfig;
import io.inception4j.config.Overrides;
import io.inception4j.graph.Blueprint;
import io.inception4j.graph.GraphFactory;
import io.inception4j.graph.GraphOptions;

import java.nio.file.Path;
import java.util.List;

/** Test helper: build a shipped config with overrides. */
public final class Models {
    private Models() {}

    public static Blueprint blueprint(String file, String... sets) {
        var loaded = ModelConfig.load(Path.of(file), Overrides.parse(List.of(sets)));
        return GraphFactory.standard().blueprint(loaded, GraphOptions.defaults());
    }
}
