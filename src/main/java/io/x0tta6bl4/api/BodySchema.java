package io.x0tta6bl4.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The JSON body a route accepts: an object with these fields and nothing else, each a string
 * (from a closed set of values or of bounded length), a whole number or a JSON object (of bounded
 * size), required or not. A body is parsed strictly
 * (duplicate keys, trailing data, unknown fields, wrong types are refused) and every refusal
 * names the field, so a client sees what to fix. The OpenAPI document describes the same schema,
 * and a test checks that it does.
 */
public record BodySchema(String name, List<Field> fields, int maxBytes) {
    /** The most a request body may hold, unless its schema says otherwise. */
    public static final int MAX_BYTES = 16 * 1024;
    /** Routes that take no body. */
    public static final BodySchema NONE = new BodySchema("none", List.of());

    /** What a field holds. */
    public enum Type {
        STRING("string"), INTEGER("integer"), OBJECT("object");

        private final String jsonName;

        Type(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The JSON Schema type name, as the OpenAPI document gives it. */
        public String jsonName() {
            return jsonName;
        }
    }
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * @param allowed   the values a string may take, or empty for any
     * @param maxLength the longest a string may be, or the most bytes an object's JSON may take
     */
    public record Field(String name, boolean required, List<String> allowed, int maxLength, Type type) {
        public Field {
            allowed = List.copyOf(allowed);
        }

        /** A string field. */
        public Field(String name, boolean required, List<String> allowed, int maxLength) {
            this(name, required, allowed, maxLength, Type.STRING);
        }
    }

    public BodySchema {
        fields = List.copyOf(fields);
    }

    public BodySchema(String name, List<Field> fields) {
        this(name, fields, MAX_BYTES);
    }

    public boolean takesBody() {
        return !fields.isEmpty();
    }

    /** Parses {@code body} against this schema: the fields given, by name; a whole number as its digits, an object as its JSON. */
    public Map<String, String> parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body {" + fields.stream().map(Field::name).collect(Collectors.joining(", ")) + "}");
        }
        if (body.length > maxBytes) {
            throw new ApiException(413, "body_too_large", "the request body is more than " + maxBytes + " bytes; the limit is " + maxBytes);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + Gate.resource(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the body cannot be read: " + Gate.resource(String.valueOf(e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (fields.stream().noneMatch(x -> x.name().equals(f))) {
                throw ApiException.badRequest(Gate.resource(f) + ": unknown field; the fields are "
                        + fields.stream().map(Field::name).collect(Collectors.joining(", ")));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Field f : fields) {
            JsonNode v = root.get(f.name());
            if (v == null || v.isNull()) {
                if (f.required()) {
                    throw ApiException.badRequest(f.name() + ": is missing");
                }
                continue;
            }
            if (f.type() == Type.INTEGER) {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw ApiException.badRequest(f.name() + ": " + Gate.resource(v.toString()) + " is not a whole number");
                }
                out.put(f.name(), Long.toString(v.longValue()));
                continue;
            }
            if (f.type() == Type.OBJECT) {
                if (!v.isObject()) {
                    throw ApiException.badRequest(f.name() + ": must be a JSON object");
                }
                String json = v.toString();
                if (json.length() > f.maxLength()) {
                    throw ApiException.badRequest(f.name() + ": is " + json.length() + " characters of JSON; the limit is " + f.maxLength());
                }
                out.put(f.name(), json);
                continue;
            }
            if (!v.isTextual()) {
                throw ApiException.badRequest(f.name() + ": must be a string");
            }
            String text = v.asText();
            if (!f.allowed().isEmpty() && !f.allowed().contains(text)) {
                throw ApiException.badRequest(f.name() + ": '" + Gate.resource(text) + "' is not one of " + String.join(", ", f.allowed()));
            }
            if (text.length() > f.maxLength()) {
                throw ApiException.badRequest(f.name() + ": is " + text.length() + " characters; the limit is " + f.maxLength());
            }
            if (text.chars().anyMatch(Character::isISOControl)) {
                throw ApiException.badRequest(f.name() + ": contains control characters");
            }
            out.put(f.name(), text);
        }
        return out;
    }

    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
