package io.x0tta6bl4.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an entry records. The set is closed: an entry of a type this build does not know is
 * refused, never stored. The name is what goes into the canonical encoding, so a constant may be
 * added but never renamed.
 */
public enum EntryType {
    /** An API call or CLI action: who did what to which resource, and the outcome. */
    AUDIT,
    /** A refused handshake, a bad signature, a replica whose tree head disagrees. */
    SECURITY_EVENT,
    NODE_SUSPECT,
    NODE_DOWN,
    NODE_ALIVE,
    MEMBERSHIP,
    CONFIG_CHANGE,
    POLICY_CHANGE,
    PROPOSAL,
    VOTE,
    PROPOSAL_RESULT,
    INCIDENT,
    SCALING,
    /** A load threshold crossed for long enough (RAISED), or back under it for as long (CLEARED). */
    LOAD_ALERT,
    /** What an executed proposal did to the mesh's load: before and after, over its impact window. */
    IMPACT;

    public static Optional<EntryType> parse(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }
}
