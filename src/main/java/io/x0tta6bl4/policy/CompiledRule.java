package io.x0tta6bl4.policy;

import io.x0tta6bl4.identity.SpiffeId;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * A {@link Rule} ready to be evaluated: its matchers and conditions compiled, and the words a
 * decision needs prepared once, so evaluating it allocates nothing. Conditions a rule lacks are
 * null here (never outside the package).
 */
final class CompiledRule {
    final Rule view;
    final String id;
    final boolean allow;
    final int order;
    final Principals principals;
    final NameSet resources;
    final NameSet actions;
    final DailyWindow window;
    final Instant notBefore;
    final Instant notAfter;
    final AddressRanges sources;
    final Rate rate;

    /** What a refusal hint says each condition requires, e.g. {@code hours_utc 09:00-17:00}. */
    private final String windowWords;
    private final String notBeforeWords;
    private final String notAfterWords;
    private final String sourceWords;
    private final String unknownSourceWords;

    CompiledRule(Rule view, int order, Principals principals, NameSet resources, NameSet actions, DailyWindow window,
            Instant notBefore, Instant notAfter, AddressRanges sources, Rate rate) {
        this.view = view;
        this.id = view.id();
        this.allow = view.effect() == Effect.ALLOW;
        this.order = order;
        this.principals = principals;
        this.resources = resources;
        this.actions = actions;
        this.window = window;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        this.sources = sources;
        this.rate = rate;
        Conditions c = view.conditions();
        this.windowWords = "hours_utc " + c.hoursUtc();
        this.notBeforeWords = "not_before " + c.notBefore();
        this.notAfterWords = "not_after " + c.notAfter();
        this.sourceWords = "source in " + c.source();
        this.unknownSourceWords = "a source address in " + c.source() + " and the request has none";
    }

    /** Whether the rule names this principal, resource and action ({@code checkResource} false when the index already did). */
    boolean matches(SpiffeId principal, String resource, String action, boolean checkResource) {
        return actions.matches(action) && (!checkResource || resources.matches(resource)) && principals.matches(principal);
    }

    /**
     * Null when every condition except the rate limit holds for the request, else the words of
     * the first that does not. An unknown source address fails closed: it satisfies a deny rule's
     * {@code source} and never an allow rule's.
     */
    String failedCondition(Instant now, Optional<InetAddress> source) {
        if (window != null && !window.contains(now.getEpochSecond())) {
            return windowWords;
        }
        if (notBefore != null && now.isBefore(notBefore)) {
            return notBeforeWords;
        }
        if (notAfter != null && now.isAfter(notAfter)) {
            return notAfterWords;
        }
        if (sources != null) {
            if (source.isEmpty()) {
                return allow ? unknownSourceWords : null;
            }
            if (!sources.contains(source.get())) {
                return sourceWords;
            }
        }
        return null;
    }
}
