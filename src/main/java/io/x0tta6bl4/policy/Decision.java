package io.x0tta6bl4.policy;

import java.util.Objects;

/**
 * The answer to one {@link Request}: allowed or not, which rule decided, and why in words an
 * operator can act on (it goes into the audit entry and, for a refusal, the 403 body).
 *
 * @param allowed whether the request may proceed
 * @param rule    the id of the rule that decided; {@link #DEFAULT_DENY} when no rule allowed the
 *                request; for a refusal by rate limit, the allow rule whose limit was exceeded
 * @param reason  e.g. {@code rule "deny-guests" denies spiffe://d/app/guest read network}
 */
public record Decision(boolean allowed, String rule, String reason) {
    /**
     * The {@link #rule} of a refusal that no rule made: nothing allowed the request. No rule may
     * take this id, so it is never ambiguous.
     */
    public static final String DEFAULT_DENY = "default-deny";
    /**
     * The {@link #reason} of every refusal while no policy is in force: clients that wait for a
     * node to become ready (the cluster commands) recognise "not yet" by it.
     */
    public static final String NO_POLICY = "no policy is in the ledger yet, so every request is refused (deny by default)";

    public Decision {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
    }

    /** True when no rule decided: the request was refused because nothing allowed it. */
    public boolean byDefault() {
        return rule.equals(DEFAULT_DENY);
    }
}
