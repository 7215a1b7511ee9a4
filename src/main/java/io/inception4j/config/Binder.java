package io.inception4j.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Binds YAML trees to records, strictly: unknown keys, wrong types, numbers where text is expected and
 * fractions where whole numbers are expected are all errors. Jackson's exceptions are translated into a
 * {@link ConfigException} that names the file, line, column and key, in the user's words.
 */
public final class Binder {
    /** Deserialization attribute: the JSON pointer of the node being bound, within its document. */
    static final String BASE_POINTER = "inception4j.basePointer";

    private static final ObjectMapper MAPPER = strictMapper();

    private Binder() {}

    private static ObjectMapper strictMapper() {
        ObjectMapper m = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
        // "17" is not a number and 17 is not text: YAML already types scalars, so coercion hides mistakes.
        m.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Enum).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        return m;
    }

    /** Binds the whole document to {@code type}. */
    public static <T> T bind(YamlDocument doc, Class<T> type) {
        return bind(doc, "", doc.root(), type, null);
    }

    /**
     * Binds {@code node}, which stands at {@code pointer} in {@code doc}, to {@code type}.
     * {@code what} describes the target in errors about unknown keys ("a conv block"); may be null.
     */
    public static <T> T bind(YamlDocument doc, String pointer, JsonNode node, Class<T> type, String what) {
        rejectUnknownKeys(doc, pointer, node, type, what);
        try {
            return MAPPER.readerFor(type).withAttribute(BASE_POINTER, pointer).treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String at = pointer + pointerOf(e);
            String key = e.getPropertyName();
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            throw doc.error(YamlDocument.parent(at), "unknown key " + quote(key)
                    + (what == null ? "" : " for " + what) + Suggestions.didYouMean(key, known)
                    + (known.isEmpty() ? "" : "; valid keys: " + String.join(", ", known)));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String at = pointer + pointerOf(e);
            if (cause instanceof InvalidValue iv) {
                throw doc.error(at + (iv.key().isEmpty() ? "" : "/" + iv.key()), iv.getMessage());
            }
            throw doc.error(at, cause == null ? e.getOriginalMessage() : cause.getMessage());
        } catch (MismatchedInputException e) {
            String at = pointer + pointerOf(e);
            String msg = e.getOriginalMessage();
            if (msg.startsWith("Missing required creator property")) {
                String key = msg.replaceAll("(?s).*?'([^']*)'.*", "$1");
                String owner = at.endsWith("/" + key) ? YamlDocument.parent(at) : at;
                throw doc.error(owner, "missing required key '" + key + "'");
            }
            if (e.getTargetType() == null || e.getTargetType() == BlockSpec.class) {
                throw doc.error(at, msg);
            }
            JsonNode got = node.at(pointerOf(e));
            throw doc.error(at, "expected " + expected(e.getTargetType()) + ", got " + describe(got));
        } catch (JsonMappingException e) {
            throw doc.error(pointer + pointerOf(e), e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw doc.error(pointer, e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw doc.error(pointer, e.getMessage());
        }
    }

    /**
     * Jackson reports a missing required key before an unknown one when binding records, so a misspelt
     * required key would read as "missing"; check the keys of the top level first.
     */
    private static void rejectUnknownKeys(YamlDocument doc, String pointer, JsonNode node, Class<?> type, String what) {
        if (!node.isObject() || !type.isRecord() || type == BlockSpec.class) return;
        var description = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(type));
        List<String> known = description.findProperties().stream().map(p -> p.getName()).sorted().toList();
        var names = node.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!known.contains(key)) {
                throw doc.error(pointer + "/" + key.replace("~", "~0").replace("/", "~1"), "unknown key " + quote(key) + (what == null ? "" : " for " + what)
                        + Suggestions.didYouMean(key, known) + "; valid keys: " + String.join(", ", known));
            }
        }
    }

    private static String pointerOf(JsonMappingException e) {
        JsonPointer p = JsonPointer.empty();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) p = p.appendProperty(r.getFieldName());
            else if (r.getIndex() >= 0) p = p.appendIndex(r.getIndex());
        }
        return p.toString();
    }

    static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "a whole number";
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "text";
        if (Collection.class.isAssignableFrom(type) || type.isArray()) return "a list";
        if (type.isEnum()) return "one of " + Arrays.stream(type.getEnumConstants())
                .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        return "a mapping of keys to values";
    }

    /** How a YAML value reads in an error message. */
    public static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        if (n.isNull()) return "an empty value";
        if (n.isTextual()) return "the text " + quote(n.asText());
        if (n.isIntegralNumber()) return "the whole number " + n.asText();
        if (n.isNumber()) return "the number " + n.asText();
        if (n.isBoolean()) return n.asText();
        if (n.isArray()) return "a list";
        return "a mapping";
    }

    /** Quoted on one line, and cut short: a file from a stranger may hold a megabyte where a number belongs. */
    public static String quote(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        if (oneLine.length() <= MAX_QUOTED) return "'" + oneLine + "'";
        return String.format(Locale.ROOT, "'%s...' (%,d characters)", oneLine.substring(0, MAX_QUOTED), text.length());
    }

    private static final int MAX_QUOTED = 60;

    /** Thrown from a record's constructor: {@code key} (relative to the record) holds a bad value. */
    public static final class InvalidValue extends IllegalArgumentException {
        private final String key;

        public InvalidValue(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
