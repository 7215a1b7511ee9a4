package io.inception4j.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named block with parameters, defined once under {@code templates:} and used as a row's type:
 * <pre>
 * templates:
 *   reduction_a:
 *     params: {k: null, l: null, m: null, n: null}      # null: required; a value: the default
 *     block: {type: branches, branches: [[{type: conv, filters: $n, kernel: 3, stride: 2}], ...]}
 * blocks:
 *   - {id: mixed_6a, type: reduction_a, k: 192, l: 224, m: 256, n: 384}
 * </pre>
 * Every text value {@code $name} in the block is replaced by the parameter's value.
 */
public record Template(Map<String, JsonNode> params, @JsonProperty(required = true) ObjectNode block) {
    public Template {
        params = params == null ? Map.of() : new LinkedHashMap<>(params);
    }

    /** The template's block with {@code use}'s values substituted; errors name the row that used it. */
    ObjectNode instantiate(YamlDocument doc, BlockSpec use) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> given = use.params().fields();
        while (given.hasNext()) {
            var e = given.next();
            if (!params.containsKey(e.getKey())) {
                throw doc.error(use.pointer() + "/" + e.getKey(), "unknown parameter " + Binder.quote(e.getKey()) + " of template "
                        + Binder.quote(use.type()) + Suggestions.didYouMean(e.getKey(), params.keySet())
                        + "; its parameters: " + String.join(", ", params.keySet()));
            }
            values.put(e.getKey(), e.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (var p : params.entrySet()) {
            if (!values.containsKey(p.getKey())) {
                if (p.getValue() == null || p.getValue().isNull()) missing.add(p.getKey());
                else values.put(p.getKey(), p.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw doc.error(use.pointer(), "template '" + use.type() + "' needs " + String.join(", ", missing));
        }
        return (ObjectNode) substitute(block.deepCopy(), values, doc, use);
    }

    private static JsonNode substitute(JsonNode n, Map<String, JsonNode> values, YamlDocument doc, BlockSpec use) {
        if (n instanceof TextNode t && t.asText().startsWith("$")) {
            JsonNode v = values.get(t.asText().substring(1));
            if (v == null) {
                throw doc.error(use.pointer(), "template '" + use.type() + "' uses " + t.asText() + ", which is not one of its params");
            }
            return v.deepCopy();
        }
        if (n instanceof ObjectNode o) {
            var names = new ArrayList<String>();
            o.fieldNames().forEachRemaining(names::add);
            for (String k : names) o.set(k, substitute(o.get(k), values, doc, use));
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) a.set(i, substitute(a.get(i), values, doc, use));
        }
        return n;
    }

    /**
     * Expands {@code spec} if its type names a template (templates may use templates); the result keeps the
     * row's id, inputs and position in the YAML.
     */
    public static BlockSpec expand(YamlDocument doc, Map<String, Template> templates, BlockSpec spec) {
        for (int depth = 0; templates.containsKey(spec.type()); depth++) {
            if (depth > 20) throw doc.error(spec.pointer() + "/type", "templates refer to each other in a loop");
            ObjectNode body = templates.get(spec.type()).instantiate(doc, spec);
            BlockSpec inner = Binder.bind(doc, spec.pointer(), body, BlockSpec.class, null);
            spec = new BlockSpec(spec.id(), inner.type(), spec.from(), 1, inner.params(), spec.pointer());
        }
        return spec;
    }
}
