package io.x0tta6bl4.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A test mesh of one node, node-1, leading a ledger with no members: the API tests fill in its status. */
abstract class OneNodeMesh implements MeshView {
    @Override
    public io.x0tta6bl4.monitor.NodeView nodeView() {
        return new io.x0tta6bl4.monitor.NodeView("node-1", "spiffe://x/node/node-1", 1, Optional.empty(), Optional.empty(), 0, "LEADER",
                Optional.empty(), List.of(), List.of(), Optional.empty());
    }

    @Override
    public io.x0tta6bl4.mesh.Membership membership() {
        return io.x0tta6bl4.mesh.Membership.EMPTY;
    }

    @Override
    public MembershipOutcome changeMembership(io.x0tta6bl4.identity.SpiffeId actor, io.x0tta6bl4.mesh.MembershipOp op, String member,
                                              String reason) {
        throw new UnsupportedOperationException("this test's mesh has no members to change");
    }

    @Override
    public io.x0tta6bl4.ledger.GroupView group() {
        return new io.x0tta6bl4.ledger.GroupView(List.of(), List.of(), false, Optional.of("node-1"), true, 0, Map.of());
    }
}
