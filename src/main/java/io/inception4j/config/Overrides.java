package io.inception4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@code --set key=value} overrides. The key is a dotted path whose first segment names the config it
 * applies to ({@code model}, {@code data}, {@code train}); later segments are keys, list indices, or the
 * {@code id} of a list element ({@code model.blocks.inception_3a.pool_proj=64}). The value is YAML, so
 * {@code [128,128,3]}, {@code false} and {@code 0.01} mean what they look like.
 */
public record Overrides(List<Override> all) {

    /** One {@code --set} argument. */
    public record Override(String namespace, List<String> path, JsonNode value, String text) {}

    private static final ObjectMapper VALUE_READER = new ObjectMapper(YamlDocument.YAML);

    public static Overrides none() {
        return new Overrides(List.of());
    }

    public static Overrides parse(List<String> arguments) {
        List<Override> out = new ArrayList<>();
        for (String arg : arguments == null ? List.<String>of() : arguments) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + arg + ": expected key=value, e.g. --set model.classes=17");
            }
            List<String> path = Arrays.asList(arg.substring(0, eq).trim().split("\\."));
            if (path.size() < 2 || path.stream().anyMatch(String::isEmpty)) {
                throw new ConfigException("--set " + arg + ": expected a dotted key such as model.classes or train.lr");
            }
            out.add(new Override(path.get(0), List.copyOf(path.subList(1, path.size())),
                    parseValue(arg, arg.substring(eq + 1).trim()), arg));
        }
        return new Overrides(List.copyOf(out));
    }

    private static JsonNode parseValue(String arg, String text) {
        if (text.isEmpty()) return TextNode.valueOf("");
        try {
            JsonNode v = VALUE_READER.readTree(text);
            return v == null ? TextNode.valueOf(text) : v;
        } catch (JsonProcessingException e) {
            throw new ConfigException("--set " + arg + ": cannot read the value as YAML ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** Fails unless every override addresses one of {@code allowed}. */
    public void requireNamespaces(String command, List<String> allowed) {
        for (Override o : all) {
            if (!allowed.contains(o.namespace())) {
                throw new ConfigException("--set " + o.text() + ": '" + command + "' takes overrides of "
                        + allowed.stream().map(a -> a + ".*").collect(Collectors.joining(", "))
                        + " only" + Suggestions.didYouMean(o.namespace(), allowed));
            }
        }
    }

    /** Applies the overrides of {@code namespace} to {@code doc}'s tree, in order. */
    public void applyTo(YamlDocument doc, String namespace) {
        for (Override o : all) {
            if (o.namespace().equals(namespace)) apply(doc, o);
        }
    }

    private static void apply(YamlDocument doc, Override o) {
        JsonNode node = doc.root();
        JsonPointer pointer = JsonPointer.empty();
        List<String> path = o.path();
        for (int i = 0; i < path.size(); i++) {
            String seg = path.get(i);
            boolean last = i == path.size() - 1;
            if (node instanceof ObjectNode obj) {
                pointer = pointer.appendProperty(seg);
                if (last) {
                    obj.set(seg, o.value());
                } else {
                    JsonNode child = obj.get(seg);
                    if (child == null || child.isNull()) {
                        child = obj.putObject(seg);
                    }
                    node = child;
                }
            } else if (node instanceof ArrayNode arr) {
                int index = indexOf(arr, seg, o);
                pointer = pointer.appendIndex(index);
                if (last) arr.set(index, o.value());
                else node = arr.get(index);
            } else {
                throw new ConfigException("--set " + o.text() + ": '" + String.join(".", path.subList(0, i))
                        + "' is " + Binder.describe(node) + ", which has no key '" + seg + "'");
            }
        }
        doc.markOverridden(pointer.toString(), o.text());
    }

    /** A list element by index, or by the value of its {@code id} key. */
    private static int indexOf(ArrayNode arr, String seg, Override o) {
        if (seg.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(seg);
            if (index < arr.size()) return index;
            throw new ConfigException("--set " + o.text() + ": index " + index + " is out of range (the list has "
                    + arr.size() + " elements)");
        }
        for (int i = 0; i < arr.size(); i++) {
            if (seg.equals(arr.get(i).path("id").asText(null))) return i;
        }
        List<String> ids = StreamSupport.stream(arr.spliterator(), false)
                .map(n -> n.path("id").asText(null)).filter(s -> s != null).toList();
        throw new ConfigException("--set " + o.text() + ": no element with id '" + seg + "'"
                + Suggestions.didYouMean(seg, ids));
    }
}
