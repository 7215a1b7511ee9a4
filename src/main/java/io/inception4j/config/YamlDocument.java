package io.inception4j.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One parsed YAML file: its tree, and the line and column of every key and value in it, addressed by
 * JSON pointer ({@code /blocks/3/filters}). The tree may be edited by {@link Overrides}; values that
 * came from an override are remembered so errors about them name the {@code --set} that put them there.
 */
public final class YamlDocument {
    static final YAMLFactory YAML = (YAMLFactory) YAMLFactory.builder().build()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper TREE_READER = new ObjectMapper(YAML);

    private final String origin;
    private final ObjectNode root;
    private final Map<String, int[]> positions;
    private final Map<String, String> overridden = new LinkedHashMap<>();

    private YamlDocument(String origin, ObjectNode root, Map<String, int[]> positions) {
        this.origin = origin;
        this.root = root;
        this.positions = positions;
    }

    /** Configs are a few kilobytes; a larger file is not one (and is not read into memory to find out). */
    static final long MAX_BYTES = 4L << 20;

    public static YamlDocument load(Path file) {
        return parse(file.toString(), BoundedText.read(file, "a config", MAX_BYTES));
    }

    /** Parses {@code text}; {@code origin} is how errors name it (usually the file path). */
    public static YamlDocument parse(String origin, String text) {
        JsonNode tree;
        try {
            tree = TREE_READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw syntaxError(origin, e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(origin + ":1:1: expected a mapping of keys to values at the top level, got "
                    + Binder.describe(tree));
        }
        return new YamlDocument(origin, (ObjectNode) tree, positionsOf(text));
    }

    private static ConfigException syntaxError(String origin, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String what = e.getOriginalMessage();
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
            // SnakeYAML says what it was doing ("while parsing a flow sequence") and what went wrong.
            String problem = marked.getProblem() == null ? "" : marked.getProblem();
            what = (marked.getContext() == null ? "" : marked.getContext() + ": ") + problem;
            if (marked.getProblemMark() != null) {
                return new ConfigException(origin + ":" + (marked.getProblemMark().getLine() + 1) + ":"
                        + (marked.getProblemMark().getColumn() + 1) + ": YAML syntax error: " + what, e);
            }
        }
        if (what.startsWith("Duplicate field")) {
            // Jackson: "Duplicate field 'x'"; say it in the user's words.
            what = "duplicate key " + what.substring("Duplicate field ".length()).replace('\'', '\'')
                    + " (each key may appear once in a mapping)";
        } else {
            what = "YAML syntax error: " + what.lines().findFirst().orElse(what).trim();
        }
        String where = at == null ? origin : origin + ":" + at.getLineNr() + ":" + at.getColumnNr();
        return new ConfigException(where + ": " + what, e);
    }

    /** Walks the token stream once, remembering where each key and each list element starts. */
    private static Map<String, int[]> positionsOf(String text) {
        Map<String, int[]> positions = new HashMap<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonStreamContext ctx = p.getParsingContext();
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) continue;
                // At START_OBJECT/START_ARRAY the context is the new container; its parent holds the path.
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) ctx = ctx.getParent();
                String pointer = ctx.pathAsPointer().toString();
                JsonLocation at = p.currentTokenLocation();
                positions.putIfAbsent(pointer, new int[] {at.getLineNr(), at.getColumnNr()});
            }
        } catch (IOException e) {
            // Already parsed once without error; positions are a convenience.
        }
        return positions;
    }

    /** The YAML factory every config is read with (strict duplicate detection). */
    public static YAMLFactory yamlFactory() {
        return YAML;
    }

    public String origin() {
        return origin;
    }

    public ObjectNode root() {
        return root;
    }

    void markOverridden(String pointer, String setArgument) {
        overridden.put(pointer, setArgument);
    }

    /**
     * Where {@code pointer} stands, as "file:line:col" (the nearest enclosing value that has a position),
     * or as "--set key=value" when an override put the value there.
     */
    public String where(String pointer) {
        for (String p = pointer; ; p = parent(p)) {
            String set = overridden.get(p);
            if (set != null) return "--set " + set;
            int[] pos = positions.get(p);
            if (pos != null) return origin + ":" + pos[0] + ":" + pos[1];
            if (p.isEmpty()) return origin;
        }
    }

    /** A ConfigException for the value at {@code pointer}: "where: key: message". */
    public ConfigException error(String pointer, String message) {
        String key = labelOf(pointer);
        return new ConfigException(where(pointer) + ": " + (key.isEmpty() ? "" : key + ": ") + message);
    }

    /** A readable key path for a pointer, with the id of list elements that have one: {@code blocks[3](conv2).filters}. */
    String labelOf(String pointer) {
        StringBuilder sb = new StringBuilder();
        StringBuilder at = new StringBuilder();
        for (String seg : pointer.split("/")) {
            if (seg.isEmpty()) continue;
            at.append('/').append(seg);
            String name = seg.replace("~1", "/").replace("~0", "~");
            if (seg.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(seg).append(']');
                String id = root.at(at.toString()).path("id").asText("");
                if (!id.isEmpty()) sb.append('(').append(id).append(')');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(name);
            }
        }
        return sb.toString();
    }

    static String parent(String pointer) {
        int i = pointer.lastIndexOf('/');
        return i <= 0 ? "" : pointer.substring(0, i);
    }
}
