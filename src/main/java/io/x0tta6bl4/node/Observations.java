package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.monitor.FailureKind;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.ProbeAnswer;
import io.x0tta6bl4.monitor.ProbeResult;
import io.x0tta6bl4.monitor.Prober;
import io.x0tta6bl4.monitor.StateChange;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node's detector concluded, kept for the API and written to the ledger: every state
 * change becomes one NODE_SUSPECT / NODE_DOWN / NODE_ALIVE entry whose actor is this node (the
 * observer) and whose resource is the peer's SPIFFE ID. The time recorded is this node's clock
 * at the moment the detector changed state (the prober calls in on the same thread at once).
 */
final class Observations implements Prober.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Observations.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int KEPT_CHANGES = 100;

    /** One change as the API shows it. */
    record Change(String peer, PeerState from, PeerState to, Instant at, String evidence) {}

    /**
     * What is known of one peer now. {@code lastFailure} is null when the latest probe was
     * answered; {@code lastProbeAt} is null before the first probe ended.
     */
    record PeerInfo(PeerState state, Instant since, FailureKind lastFailure, long lastRoundTripNanos, ProbeAnswer lastAnswer, Instant lastProbeAt) {}

    private final String self;
    private final SpiffeId selfId;
    private final String trustDomain;
    private final InstantSource clock;
    private final LedgerWriter ledger;
    private final NodeMetrics metrics;
    private final Deque<Change> changes = new ArrayDeque<>();
    private final Map<String, PeerInfo> peers = new LinkedHashMap<>();

    Observations(String self, SpiffeId selfId, InstantSource clock, LedgerWriter ledger, NodeMetrics metrics) {
        this.self = self;
        this.selfId = selfId;
        this.trustDomain = selfId.trustDomain();
        this.clock = clock;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    @Override
    public synchronized void onAdded(String peer) {
        peers.putIfAbsent(peer, new PeerInfo(PeerState.UNKNOWN, clock.instant(), null, -1, null, null));
        LOG.info("{} probes {} from now on (joining: not judged until admitted)", self, peer);
    }

    @Override
    public synchronized void onRemoved(String peer) {
        peers.remove(peer);
        LOG.info("{} no longer probes {} (not an active member)", self, peer);
    }

    /** The detector state of each peer, as the last changes left it. */
    synchronized Map<String, PeerState> states() {
        Map<String, PeerState> out = new LinkedHashMap<>();
        peers.forEach((name, info) -> out.put(name, info.state()));
        return out;
    }

    @Override
    public synchronized void onProbe(String peer, ProbeResult result, Optional<ProbeAnswer> answer) {
        metrics.probe(peer, result);
        PeerInfo p = peers.get(peer);
        if (p == null) {
            return;
        }
        switch (result) {
            case ProbeResult.Answered a -> peers.put(peer, new PeerInfo(p.state(), p.since(), null, a.roundTripNanos(), answer.orElse(p.lastAnswer()),
                    clock.instant()));
            case ProbeResult.Failed f -> peers.put(peer, new PeerInfo(p.state(), p.since(), f.kind(), p.lastRoundTripNanos(), p.lastAnswer(),
                    clock.instant()));
        }
    }

    @Override
    public void onChanges(List<StateChange> list) {
        Instant at = clock.instant();
        for (StateChange c : list) {
            synchronized (this) {
                PeerInfo p = peers.getOrDefault(c.peer(), new PeerInfo(c.from(), at, null, -1, null, null));
                peers.put(c.peer(), new PeerInfo(c.to(), at, p.lastFailure(), p.lastRoundTripNanos(), p.lastAnswer(), p.lastProbeAt()));
                changes.addLast(new Change(c.peer(), c.from(), c.to(), at, c.evidence()));
                while (changes.size() > KEPT_CHANGES) {
                    changes.removeFirst();
                }
            }
            metrics.stateChange(c.peer(), c.to());
            log(c);
            ledger.append(entry(c, at));
        }
    }

    private void log(StateChange c) {
        String msg = "{} sees {} {} (was {}): {}";
        Object[] args = {self, c.peer(), io.x0tta6bl4.monitor.NodeView.wire(c.to()), io.x0tta6bl4.monitor.NodeView.wire(c.from()), c.evidence()};
        if (c.to() == PeerState.ALIVE) {
            LOG.info(msg, args);
        } else {
            LOG.warn(msg, args);
        }
    }

    private Submission entry(StateChange c, Instant at) {
        EntryType type = switch (c.to()) {
            case ALIVE -> EntryType.NODE_ALIVE;
            case SUSPECT -> EntryType.NODE_SUSPECT;
            case DOWN -> EntryType.NODE_DOWN;
            case UNKNOWN -> throw new IllegalStateException("no detector change leads back to UNKNOWN");
        };
        ObjectNode payload = JSON.createObjectNode()
                .put("observer", self)
                .put("peer", c.peer())
                .put("from", io.x0tta6bl4.monitor.NodeView.wire(c.from()))
                .put("to", io.x0tta6bl4.monitor.NodeView.wire(c.to()))
                .put("at", at.toString())
                .put("evidence", c.evidence());
        return new Submission(type, selfId, type.name(), SpiffeId.node(trustDomain, c.peer()).toString(), "OBSERVED", payload.toString());
    }

    synchronized List<Change> changes() {
        return new ArrayList<>(changes);
    }

    synchronized Map<String, PeerInfo> peers() {
        return new LinkedHashMap<>(peers);
    }
}
