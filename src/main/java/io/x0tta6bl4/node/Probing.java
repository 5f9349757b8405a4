package io.x0tta6bl4.node;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.mesh.Endpoints;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.FailureDetector;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.PeerWatch;
import io.x0tta6bl4.monitor.ProbeAnswer;
import io.x0tta6bl4.monitor.Prober;
import io.x0tta6bl4.time.Scheduler;
import io.x0tta6bl4.transport.PeerLink;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's watch over its peers, following the membership: one {@link PeerLink}, one held
 * watch and one chain of probes per active member other than this node. A member that joins is
 * probed from the moment the ledger lists it (joining: not judged until admitted); one that
 * leaves or is fenced is forgotten, without a verdict; one whose endpoints change gets a new
 * link. A node that is itself fenced or gone probes no one.
 *
 * <p>Threads: the prober's scheduler ("probe-scheduler", maximum priority, the only thread that
 * touches the failure detector); "probe-call" platform threads at maximum priority for the
 * blocking probes; "peer-watch" threads for the held watches; "peers" for the link changes
 * (opening a link builds a TLS context, which the prober's thread must not wait for).
 */
final class Probing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Probing.class);
    /** How much longer than the peers' watch hold a watch call may wait for its answer. */
    static final Duration WATCH_MARGIN = Duration.ofSeconds(5);
    /** The pause after a peer's watch broke before it is watched again (one attempt per this while it is down). */
    static final Duration WATCH_RETRY = Duration.ofSeconds(1);

    private final String self;
    private final NodeCredentials credentials;
    private final TrustBundle bundle;
    private final InstantSource clock;
    private final SecurityEvents security;
    private final Scheduler changes;
    private final Prober prober;
    private final PeerWatch watch;
    /** Guarded by this: changed on the "peers" thread, closed by {@link #close}. */
    private final Map<String, Link> links = new HashMap<>();
    private volatile boolean closed;

    private record Link(Endpoints at, PeerLink link) {}

    Probing(String self, NodeCredentials credentials, TrustBundle bundle, DetectorSettings settings, NodeRuntime runtime, SecurityEvents security) {
        this.self = self;
        this.credentials = credentials;
        this.bundle = bundle;
        this.clock = runtime.clock();
        this.security = security;
        this.changes = runtime.scheduler("peers", Thread.NORM_PRIORITY);
        this.prober = new Prober(new FailureDetector(settings), runtime.scheduler("probe-scheduler", Thread.MAX_PRIORITY),
                runtime.blocking("probe-call", Thread.MAX_PRIORITY), runtime.nanoTime());
        this.watch = new PeerWatch(runtime.blocking("peer-watch", Thread.NORM_PRIORITY), runtime.scheduler("peer-watch-timer", Thread.NORM_PRIORITY),
                WATCH_RETRY, prober::probeNow);
    }

    Prober prober() {
        return prober;
    }

    /** Starts probing (after the node's warm-up); members followed before are probed from now on. */
    void start() {
        prober.start();
    }

    /** Brings the probed peers in line with {@code m}. Safe from any thread; the last call wins. */
    void follow(Membership m) {
        changes.execute(() -> apply(m));
    }

    private synchronized void apply(Membership m) {
        if (closed) {
            return;
        }
        boolean excluded = m.member(self).map(x -> !x.active()).orElse(false);
        Map<String, Endpoints> wanted = new HashMap<>();
        if (!excluded) {
            for (Member member : m.active()) {
                if (!member.name().equals(self)) {
                    wanted.put(member.name(), member.endpoints());
                }
            }
        } else if (!links.isEmpty()) {
            LOG.warn("{} is {} in the ledger's membership: it probes no one until it is readmitted", self,
                    m.member(self).orElseThrow().status().name().toLowerCase(java.util.Locale.ROOT));
        }
        Set<String> gone = new HashSet<>(links.keySet());
        gone.removeAll(wanted.keySet());
        for (String peer : gone) {
            prober.remove(peer);
            watch.remove(peer);
            links.remove(peer).link().close();
        }
        wanted.forEach((peer, at) -> {
            Link current = links.get(peer);
            if (current != null && current.at().equals(at)) {
                return;
            }
            PeerLink link = PeerLink.open(peer, at.host(), at.peer(), credentials, bundle, clock, Prober.SOCKET_TIMEOUT, WATCH_MARGIN,
                    security::refusedServer);
            links.put(peer, new Link(at, link));
            prober.add(peer, link::probe);
            watch.add(peer, link::watch);
            if (current != null) {
                LOG.info("{}: {} moved to {}; a new link replaces the one to {}", self, peer, link.address(), current.link().address());
                // The old link's calls in flight end with it; the prober and the watch use the new one from now on.
                changes.schedule(Duration.ofSeconds(2).toNanos(), current.link()::close);
            }
        });
    }

    Map<String, PeerState> states() {
        return prober.states();
    }

    Map<String, ProbeAnswer> answers() {
        return prober.answers();
    }

    @Override
    public synchronized void close() {
        closed = true;
        watch.close();
        prober.close();
        links.values().forEach(l -> l.link().close());
        links.clear();
    }
}
