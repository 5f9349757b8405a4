package io.x0tta6bl4.mesh;

import io.x0tta6bl4.identity.SpiffeId;

/**
 * One member of the mesh as the ledger records it.
 *
 * @param role     whether it votes in the ledger's Raft group (at most five do) or listens
 * @param status   ACTIVE from its JOIN on; FENCED while isolated (no traffic, no vote, not probed);
 *                 LEFT for good (its name is never given out again)
 * @param joinedAt the sequence number of its first JOIN entry
 * @param change   the operation that gave it its current role and status (JOIN, PROMOTE, DEMOTE, …):
 *                 the reconciler does not promote back a member an operator demoted
 * @param since    the sequence number of that entry
 * @param reason   why its status last changed (a fence's reason), or empty
 */
public record Member(String name, SpiffeId id, Endpoints endpoints, Role role, Status status, MembershipOp change, long joinedAt, long since,
                     String reason) {
    public enum Role { VOTER, LISTENER }

    public enum Status { ACTIVE, FENCED, LEFT }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    public boolean voter() {
        return status == Status.ACTIVE && role == Role.VOTER;
    }

    Member with(MembershipOp op, Role r, Status s, long seq, String why) {
        return new Member(name, id, endpoints, r, s, op, joinedAt, seq, why);
    }

    Member at(Endpoints e) {
        return new Member(name, id, e, role, status, change, joinedAt, since, reason);
    }
}
