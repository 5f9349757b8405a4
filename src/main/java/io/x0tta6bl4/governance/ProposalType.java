package io.x0tta6bl4.governance;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a proposal would change (DESIGN.md §7). */
public enum ProposalType {
    /** Mesh-wide runtime config ({@link ConfigKey}): the payload is {@code {"set": {"key": "value", ...}}}. */
    CONFIG_UPDATE,
    /** A new policy version: the payload is {@code {"document": "<policy YAML>"}}. */
    POLICY_UPDATE,
    /** A target node count. Refused at creation by this build, which cannot carry one out yet. */
    RESOURCE_SCALING,
    /** A recovery plan of the MAPE-K loop. Refused at creation by this build, which has no such loop yet. */
    RECOVERY,
    /** Restores what a named executed proposal replaced: the payload is {@code {"proposal": "ID"}}. */
    ROLLBACK;

    /** {@code config}, {@code CONFIG_UPDATE}, {@code policy}, … as a user would type them. */
    public static Optional<ProposalType> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(t -> t.name().equals(n) || t.name().equals(n + "_UPDATE")
                || (t == RESOURCE_SCALING && n.equals("SCALING"))).findFirst();
    }
}
