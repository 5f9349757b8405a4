package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Strict reading of the small JSON documents this package reads (cluster.json, a node's view):
 * every problem is an {@link IllegalArgumentException} naming the source and the field path.
 */
final class JsonReader {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String source;

    JsonReader(String source) {
        this.source = source;
    }

    /** An object or a list, as an API answers. */
    JsonNode parseObjectOrArray(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !(n.isObject() || n.isArray())) {
                throw new IllegalArgumentException(source + ": expected a JSON object or list");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    JsonNode parseObject(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(source + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A problem with one field: the message names the source and the field; {@link #field} is the field's path alone. */
    static final class FieldProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String field;
        final String problem;

        FieldProblem(String source, String field, String problem) {
            super(source + ": " + field + ": " + problem);
            this.field = field;
            this.problem = problem;
        }
    }

    FieldProblem bad(String path, String what) {
        return new FieldProblem(source, path, what);
    }

    private JsonNode required(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw bad(join(path, field), "is missing");
        }
        return v;
    }

    static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    String text(JsonNode n, String path, String field) {
        JsonNode v = required(n, path, field);
        if (!v.isTextual()) {
            throw bad(join(path, field), "must be a string");
        }
        return v.textValue();
    }

    Optional<String> optionalText(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw bad(join(path, field), "must be a string or null");
        }
        return Optional.of(v.textValue());
    }

    long integer(JsonNode n, String path, String field, long min, long max) {
        JsonNode v = required(n, path, field);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw bad(join(path, field), "must be an integer " + min + ".." + max + ", got " + v);
        }
        return v.longValue();
    }

    Optional<Long> optionalInteger(JsonNode n, String path, String field, long min, long max) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(integer(n, path, field, min, max));
    }

    int port(JsonNode n, String path, String field) {
        return (int) integer(n, path, field, 1, 65535);
    }

    boolean bool(JsonNode n, String path, String field) {
        JsonNode v = required(n, path, field);
        if (!v.isBoolean()) {
            throw bad(join(path, field), "must be true or false");
        }
        return v.booleanValue();
    }

    Instant instant(JsonNode n, String path, String field) {
        String s = text(n, path, field);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw bad(join(path, field), "'" + s + "' is not an ISO-8601 instant");
        }
    }

    Optional<Instant> optionalInstant(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(instant(n, path, field));
    }

    JsonNode array(JsonNode n, String path, String field) {
        JsonNode v = required(n, path, field);
        if (!v.isArray()) {
            throw bad(join(path, field), "must be a list");
        }
        return v;
    }

    /** A list of strings. */
    java.util.List<String> textList(JsonNode n, String path, String field) {
        JsonNode a = array(n, path, field);
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) {
                throw bad(join(path, field) + "[" + i + "]", "must be a string");
            }
            out.add(a.get(i).textValue());
        }
        return out;
    }

    /** Refuses fields other than {@code allowed}: a request body with a misspelt field is a mistake, not an extension. */
    void only(JsonNode n, String path, String... allowed) {
        java.util.Set<String> ok = java.util.Set.of(allowed);
        java.util.Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!ok.contains(f)) {
                throw bad(join(path, f), "is not a known field (known: " + String.join(", ", allowed) + ")");
            }
        }
    }

    JsonNode object(JsonNode n, String path, String field) {
        JsonNode v = required(n, path, field);
        if (!v.isObject()) {
            throw bad(join(path, field), "must be an object");
        }
        return v;
    }
}
