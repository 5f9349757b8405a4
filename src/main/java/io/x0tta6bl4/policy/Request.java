package io.x0tta6bl4.policy;

import io.x0tta6bl4.identity.SpiffeId;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One question to a {@link Policy}: may {@code principal} perform {@code action} on
 * {@code resource}, from {@code source}, at {@code now}?
 *
 * <p>The time is part of the request, not read from a clock, so a decision is a pure function of
 * the policy, the request and (for rate limits) the {@link RateLimiter}'s state: tests and a
 * simulation pass virtual time. {@code source} is empty when the caller has no network address
 * for the principal (an in-process check); rules that name source ranges then treat the address as
 * hostile: an allow rule with a {@code source} condition does not apply, a deny rule with one
 * does (see docs/policy.md, "Conditions").
 *
 * @param principal the authenticated caller (the token's {@code sub}, the peer certificate's ID)
 * @param resource  what is acted on, e.g. {@code network}, {@code nodes}, {@code ledger}, {@code policy}
 * @param action    e.g. {@code read}, {@code write}
 * @param source    the caller's address, when known
 * @param now       when the request is decided
 */
public record Request(SpiffeId principal, String resource, String action, Optional<InetAddress> source, Instant now) {
    public Request {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(now, "now");
    }

    /** A request from a known address, as the API and peer listeners make them. */
    public Request(SpiffeId principal, String resource, String action, InetAddress source, Instant now) {
        this(principal, resource, action, Optional.of(source), now);
    }

    /** A request with no network address (an in-process check). */
    public Request(SpiffeId principal, String resource, String action, Instant now) {
        this(principal, resource, action, Optional.empty(), now);
    }
}
