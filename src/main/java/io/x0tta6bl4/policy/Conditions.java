package io.x0tta6bl4.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A rule's conditions as the document wrote them, for serving ({@code GET /api/policy}) and
 * display. All that are present must hold for the rule to apply; their meaning is in
 * docs/policy.md. An absent condition is {@code null} (an empty list for {@code source}) and is
 * left out of the JSON form, whose field names are the document's.
 *
 * @param hoursUtc  a daily window in UTC, {@code HH:MM-HH:MM}, or null
 * @param notBefore the first instant the rule applies, ISO-8601, or null
 * @param notAfter  the last instant the rule applies, ISO-8601, or null
 * @param source    address ranges (CIDR) the request must come from; empty for any
 * @param rateLimit {@code N/s}, {@code N/min} or {@code N/h} per principal (allow rules only), or null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Conditions(
        @JsonProperty("hours_utc") String hoursUtc,
        @JsonProperty("not_before") String notBefore,
        @JsonProperty("not_after") String notAfter,
        @JsonProperty("source") List<String> source,
        @JsonProperty("rate_limit") String rateLimit) {
    /** A rule without conditions. */
    public static final Conditions NONE = new Conditions(null, null, null, List.of(), null);

    public Conditions {
        source = List.copyOf(source);
    }

    /** True when the rule applies to every request its principals, resources and actions match. */
    @JsonIgnore
    public boolean isEmpty() {
        return hoursUtc == null && notBefore == null && notAfter == null && source.isEmpty() && rateLimit == null;
    }
}
