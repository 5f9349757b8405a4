package io.x0tta6bl4.ledger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.x0tta6bl4.identity.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What a caller asks the ledger to record: everything of an entry except what ordering assigns
 * (sequence number, timestamp) and who submitted it. Validated on construction, so an invalid
 * submission cannot exist.
 *
 * @param actor    the SPIFFE ID on whose behalf the action was taken (a token's subject, a node)
 * @param action   what was done, e.g. {@code GET_NETWORK_STATUS}
 * @param resource what it was done to, e.g. {@code /api/network/status}
 * @param status   outcome, upper case, e.g. {@code SUCCESS}, {@code DENIED}, {@code ERROR}
 * @param payload  details as a JSON document, at most {@link #MAX_PAYLOAD_BYTES} bytes
 */
public record Submission(EntryType type, SpiffeId actor, String action, String resource, String status, String payload) {
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int MAX_TEXT = 512;
    private static final Pattern STATUS = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");
    private static final JsonFactory JSON = JsonFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    public Submission {
        if (type == null) {
            throw new LedgerException(LedgerException.Reason.UNKNOWN_TYPE, "type is missing");
        }
        if (actor == null) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "actor is missing");
        }
        text("action", action);
        text("resource", resource);
        if (status == null || !STATUS.matcher(status).matches()) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD,
                    "status '" + status + "' must be 1-32 characters of A-Z, 0-9 and '_', e.g. SUCCESS");
        }
        if (payload == null) {
            payload = "{}";
        }
        int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PAYLOAD_BYTES) {
            throw new LedgerException(LedgerException.Reason.PAYLOAD_TOO_LARGE,
                    "payload is " + bytes + " bytes; the limit is " + MAX_PAYLOAD_BYTES);
        }
        checkJson(payload);
    }

    /** Convenience: the type by name, refusing names this build does not know. */
    public static Submission of(String type, SpiffeId actor, String action, String resource, String status, String payload) {
        EntryType t = EntryType.parse(type).orElseThrow(() ->
                new LedgerException(LedgerException.Reason.UNKNOWN_TYPE, "type '" + type + "' is not one of " + java.util.Arrays.toString(EntryType.values())));
        return new Submission(t, actor, action, resource, status, payload);
    }

    /** Validates the payload as exactly one JSON value by streaming its tokens (no tree is built). */
    private static void checkJson(String payload) {
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() == null) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "payload is empty; use {} for none");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "payload has more than one JSON value");
            }
        } catch (JsonProcessingException e) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "payload is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "payload cannot be read: " + e.getMessage());
        }
    }

    private static void text(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, field + " is missing");
        }
        if (value.length() > MAX_TEXT) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, field + " is " + value.length() + " characters; the limit is " + MAX_TEXT);
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, field + " contains control characters");
        }
    }

    /** Bytes this submission adds to a batch, for the group commit's size bound. */
    int encodedSize() {
        return 32 + type.name().length() + actor.toString().length() + action.length() + resource.length() + status.length()
                + payload.length() * 3;
    }
}
