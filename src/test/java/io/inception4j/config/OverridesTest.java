package io.inception4j.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class OverridesTest {
    static final String YAML = """
            name: tiny
            input: [64, 64, 3]
            classes: 10
            blocks:
              - {id: conv1, type: conv, filters: 16, kernel: 3}
              - {id: out, type: output}
            """;

    static ModelConfig load(String... sets) {
        return ModelConfig.parse("tiny.yaml", YAML, Overrides.parse(List.of(sets))).config();
    }

    @Test
    void scalarsListsAndBooleansAreReadAsYaml() {
        ModelConfig m = load("model.classes=17", "model.input=[128,128,3]", "model.aux=false", "model.width=0.5");
        assertEquals(17, m.classes());
        assertEquals(List.of(128, 128, 3), m.input());
        assertFalse(m.aux());
        assertEquals(0.5, m.width());
    }

    @Test
    void blockKeysAreAddressedByBlockId() {
        ModelConfig m = load("model.blocks.conv1.filters=32");
        assertEquals(32, m.blocks().get(0).params().get("filters").asInt());
    }

    @Test
    void defaultsCanBeSetEvenWhenTheFileOmitsThem() {
        ModelConfig m = load("model.defaults.conv.bn=true");
        assertEquals(Boolean.TRUE, m.defaults().conv().bn());
    }

    @Test
    void otherNamespacesAreLeftForTheirOwnConfigs() {
        ModelConfig m = load("train.lr=0.1");
        assertEquals(10, m.classes());
    }
}
