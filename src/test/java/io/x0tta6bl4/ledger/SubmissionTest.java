package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.x0tta6bl4.identity.SpiffeId;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** A {@link Submission} is validated when it is built: bad input never becomes an entry. */
class SubmissionTest {
    private static final SpiffeId ACTOR = SpiffeId.app(LedgerFixtures.DOMAIN, "dashboard");

    private static Submission of(String type, String action, String resource, String status, String payload) {
        return Submission.of(type, ACTOR, action, resource, status, payload);
    }

    private static Submission valid(String payload) {
        return of("AUDIT", "GET_NETWORK_STATUS", "/api/network/status", "SUCCESS", payload);
    }

    private static LedgerException refused(ThrowingCallable call) {
        LedgerException e = catchThrowableOfType(LedgerException.class, call);
        assertThat(e).as("expected a LedgerException").isNotNull();
        return e;
    }

    private static void invalidField(ThrowingCallable call, String... messageParts) {
        LedgerException e = refused(call);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
        assertThat(e.getMessage()).startsWith("invalid_field: ").contains(messageParts);
    }

    @ParameterizedTest
    @EnumSource(EntryType.class)
    void everyKnownTypeIsAcceptedByName(EntryType type) {
        assertThat(of(type.name(), "A", "r", "OK", "{}").type()).isEqualTo(type);
        assertThat(EntryType.parse(type.name())).contains(type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"audit", "Audit", "AUDIT ", " AUDIT", "AUDIT_V2", "", "SECURITY-EVENT"})
    void anUnknownTypeNameIsRefused(String type) {
        LedgerException e = refused(() -> of(type, "A", "r", "OK", "{}"));
        assertThat(e.reason()).isEqualTo(LedgerException.Reason.UNKNOWN_TYPE);
        assertThat(e.getMessage()).startsWith("unknown_type: ").contains("'" + type + "'").contains("AUDIT", "SCALING");
    }

    @Test
    void aMissingTypeIsRefused() {
        assertThat(refused(() -> of(null, "A", "r", "OK", "{}")).reason()).isEqualTo(LedgerException.Reason.UNKNOWN_TYPE);
        assertThat(refused(() -> new Submission(null, ACTOR, "A", "r", "OK", "{}")).reason()).isEqualTo(LedgerException.Reason.UNKNOWN_TYPE);
    }

    @Test
    void aMissingActorIsRefused() {
        invalidField(() -> new Submission(EntryType.AUDIT, null, "A", "r", "OK", "{}"), "actor");
    }

    @Test
    void aPayloadOfExactly64KiBIsAcceptedAndOneByteMoreIsRefused() {
        String limit = "\"" + "a".repeat(Submission.MAX_PAYLOAD_BYTES - 2) + "\"";
        assertThat(valid(limit).payload()).hasSize(64 * 1024);
        String over = "\"" + "a".repeat(Submission.MAX_PAYLOAD_BYTES - 1) + "\"";
        LedgerException e = refused(() -> valid(over));
        assertThat(e.reason()).isEqualTo(LedgerException.Reason.PAYLOAD_TOO_LARGE);
        assertThat(e.getMessage()).contains("65537 bytes", "65536");
    }

    @Test
    void thePayloadLimitCountsUtf8BytesNotCharacters() {
        // 21,846 three-byte characters: 21,848 chars with the quotes, but 65,540 bytes.
        String wide = "\"" + "✓".repeat(21_846) + "\"";
        assertThat(wide.length()).isLessThan(Submission.MAX_PAYLOAD_BYTES);
        assertThat(refused(() -> valid(wide)).reason()).isEqualTo(LedgerException.Reason.PAYLOAD_TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":}", "not json", "{'a':1}", "[1,2", "\"unterminated", "{\"a\":1,}", "nul"})
    void aPayloadThatIsNotJsonIsRefusedNamingThePayload(String payload) {
        invalidField(() -> valid(payload), "payload is not valid JSON");
    }

    /**
     * Regression: Jackson's readTree accepted an empty or blank document and ignored whatever
     * followed the first value, so none-JSON payloads such as {@code "{} trailing"} were stored.
     * Submission now streams the tokens and wants exactly one value.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void anEmptyPayloadIsRefused(String payload) {
        invalidField(() -> valid(payload), "payload is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} trailing", "{}{}", "{\"a\":1} ]", "1 2", "[] []", "null null"})
    void aPayloadWithMoreThanOneJsonValueIsRefused(String payload) {
        LedgerException e = refused(() -> valid(payload));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
        assertThat(e.getMessage()).contains("payload");
    }

    @Test
    void aPayloadWithADuplicateKeyIsRefused() {
        invalidField(() -> valid("{\"a\":1,\"a\":2}"), "payload is not valid JSON", "Duplicate field 'a'");
        invalidField(() -> valid("{\"outer\":{\"b\":true,\"b\":false}}"), "payload is not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "null", "42", "\"text\"", "{\"nested\":{\"list\":[1,2.5,true,null]}}", " {\"padded\":true} "})
    void anyJsonDocumentIsAPayload(String payload) {
        assertThat(valid(payload).payload()).isEqualTo(payload);
    }

    @Test
    void aNullPayloadBecomesAnEmptyObject() {
        assertThat(valid(null).payload()).isEqualTo("{}");
        assertThat(new Submission(EntryType.AUDIT, ACTOR, "A", "r", "OK", null).payload()).isEqualTo("{}");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingActionOrResourceIsRefused(String value) {
        invalidField(() -> of("AUDIT", value, "/r", "OK", "{}"), "action is missing");
        invalidField(() -> of("AUDIT", "A", value, "OK", "{}"), "resource is missing");
    }

    @Test
    void actionAndResourceMayHave512CharactersButNotMore() {
        String max = "x".repeat(Submission.MAX_TEXT);
        assertThatCode(() -> of("AUDIT", max, max, "OK", "{}")).doesNotThrowAnyException();
        invalidField(() -> of("AUDIT", max + "x", "/r", "OK", "{}"), "action is 513 characters", "512");
        invalidField(() -> of("AUDIT", "A", max + "x", "OK", "{}"), "resource is 513 characters", "512");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\n", "\r", "\t", "\u001b[31m", "\u007f", "\u0085", "\u009f"})
    void actionAndResourceMustNotContainControlCharacters(String control) {
        invalidField(() -> of("AUDIT", "GET" + control + "X", "/r", "OK", "{}"), "action contains control characters");
        invalidField(() -> of("AUDIT", "A", "/api" + control, "OK", "{}"), "resource contains control characters");
    }

    @Test
    void printableUnicodeIsFineInActionAndResource() {
        Submission s = of("AUDIT", "ÄNDERN ✓", "/räume/😀 with spaces", "OK", "{}");
        assertThat(s.resource()).isEqualTo("/räume/😀 with spaces");
    }

    @ParameterizedTest
    @ValueSource(strings = {"success", "Success", "SUCCESs", "_SUCCESS", "1OK", "SUCCESS!", "SUC CESS", "ÉCHEC", "",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"})
    void anInvalidStatusIsRefused(String status) {
        invalidField(() -> of("AUDIT", "A", "/r", status, "{}"), "status '" + status + "'", "A-Z");
    }

    @Test
    void aMissingStatusIsRefused() {
        invalidField(() -> of("AUDIT", "A", "/r", null, "{}"), "status 'null'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OK", "SUCCESS", "DENIED", "ERROR_42", "A", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"})
    void validStatusesAreAccepted(String status) {
        assertThat(of("AUDIT", "A", "/r", status, "{}").status()).isEqualTo(status);
    }

    @Test
    void equalFieldsMakeEqualSubmissions() {
        assertThat(valid("{}")).isEqualTo(valid("{}")).hasSameHashCodeAs(valid("{}"));
        assertThat(valid(null)).isEqualTo(valid("{}"));
        assertThat(Arrays.asList(valid("{}"), valid("[]"))).doesNotHaveDuplicates();
    }
}
