package io.inception4j.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of a block list, before its type is known to mean anything: the keys every block shares
 * ({@code id}, {@code type}, {@code from}, {@code repeat}) and the rest as {@code params}, which the graph
 * package binds to the block type's own record. {@code pointer} is where the row stands in its document.
 *
 * @param id     the block's name (the paper's or the reference implementation's); optional inside branches
 * @param type   the block type, a key of the graph package's block registry
 * @param from   the blocks whose outputs feed this one; empty means "the previous block"
 * @param repeat how many copies to chain ({@code id_1 .. id_n}); 1 for a single block
 * @param repeatIds the copies' ids when {@code repeat} lists them ({@code repeat: [Mixed_5b, Mixed_5c]})
 */
@JsonDeserialize(using = BlockSpec.Reader.class)
public record BlockSpec(String id, String type, List<String> from, int repeat, List<String> repeatIds,
                        ObjectNode params, String pointer) {

    public BlockSpec(String id, String type, List<String> from, int repeat, ObjectNode params, String pointer) {
        this(id, type, from, repeat, List.of(), params, pointer);
    }

    public static final List<String> COMMON_KEYS = List.of("id", "type", "from", "repeat");

    /** A copy with another id and input, as {@code repeat} makes. */
    public BlockSpec withIdAndFrom(String newId, List<String> newFrom) {
        return new BlockSpec(newId, type, newFrom, 1, List.of(), params, pointer);
    }

    /** Splits a mapping into the common keys and the type's own parameters, checking the common ones. */
    static final class Reader extends JsonDeserializer<BlockSpec> {
        @Override
        public BlockSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonStreamContext here = p.getParsingContext();
            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) here = here.getParent();
            Object base = ctxt.getAttribute(Binder.BASE_POINTER);
            String pointer = (base == null ? "" : base.toString()) + here.pathAsPointer();

            JsonNode node = ctxt.readTree(p);
            if (!(node instanceof ObjectNode obj)) {
                throw MismatchedInputException.from(p, BlockSpec.class,
                        "expected a block (a mapping with at least 'type'), got " + Binder.describe(node));
            }
            ObjectNode params = obj.deepCopy();
            String id = text(p, params.remove("id"), "id");
            String type = text(p, params.remove("type"), "type");
            if (type == null) {
                throw at(p, obj, null, "block" + (id == null ? "" : " '" + id + "'")
                        + ": missing required key 'type'");
            }
            List<String> from = from(p, obj, params.remove("from"));
            int repeat = 1;
            List<String> repeatIds = new ArrayList<>();
            JsonNode r = params.remove("repeat");
            if (r != null && r.isArray() && r.size() > 0) {
                for (JsonNode e : r) {
                    if (!e.isTextual()) throw at(p, obj, "repeat", "expected block ids, got " + Binder.describe(e));
                    repeatIds.add(e.asText());
                }
                repeat = repeatIds.size();
            } else if (r != null) {
                if (!r.isIntegralNumber() || r.asInt() < 1) {
                    throw at(p, obj, "repeat", "expected a whole number of at least 1 or a list of ids, got " + Binder.describe(r));
                }
                repeat = r.asInt();
            }
            return new BlockSpec(id, type, from, repeat, List.copyOf(repeatIds), params, pointer);
        }

        private static String text(JsonParser p, JsonNode n, String key) throws JsonMappingException {
            if (n == null || n.isNull()) return null;
            if (!n.isTextual() || n.asText().isBlank()) {
                throw at(p, null, key, "expected text, got " + Binder.describe(n));
            }
            return n.asText();
        }

        private static List<String> from(JsonParser p, ObjectNode obj, JsonNode n) throws JsonMappingException {
            List<String> out = new ArrayList<>();
            if (n == null || n.isNull()) return out;
            if (n.isTextual()) {
                out.add(n.asText());
                return out;
            }
            if (n.isArray()) {
                for (JsonNode e : n) {
                    if (!e.isTextual()) {
                        throw at(p, obj, "from", "expected block ids, got " + Binder.describe(e));
                    }
                    out.add(e.asText());
                }
                return out;
            }
            throw at(p, obj, "from", "expected a block id or a list of block ids, got " + Binder.describe(n));
        }

        private static JsonMappingException at(JsonParser p, Object owner, String key, String message) {
            MismatchedInputException e = MismatchedInputException.from(p, BlockSpec.class, message);
            if (key != null) e.prependPath(owner, key);
            return e;
        }
    }
}
