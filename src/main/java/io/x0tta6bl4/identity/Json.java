package io.x0tta6bl4.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.x0tta6bl4.crypto.Hex;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/** Strict reading of small JSON documents: every problem names the source and the field. */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    static JsonNode parseObject(String source, String json) {
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

    static void onlyFields(String source, JsonNode n, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new IllegalArgumentException(source + ": unknown field '" + f + "'");
            }
        }
    }

    static JsonNode field(String source, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(source + ": field '" + field + "' is missing");
        }
        return v;
    }

    static String text(String source, JsonNode n, String field) {
        JsonNode v = field(source, n, field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(source + ": field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    static int integer(String source, JsonNode n, String field) {
        JsonNode v = field(source, n, field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(source + ": field '" + field + "' must be an integer");
        }
        return v.intValue();
    }

    static byte[] base64(String source, JsonNode n, String field) {
        String value = text(source, n, field);
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": field '" + field + "' is not valid base64");
        }
    }

    static byte[] hex(String source, JsonNode n, String field, int length) {
        String s = text(source, n, field);
        try {
            byte[] b = Hex.decode(s);
            if (b.length != length) {
                throw new IllegalArgumentException("wrong length");
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": field '" + field + "' must be " + (2 * length) + " hex digits");
        }
    }

    static Instant instant(String source, JsonNode n, String field) {
        try {
            return Instant.parse(text(source, n, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(source + ": field '" + field + "' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
        }
    }
}
