package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.Proposal;
import io.x0tta6bl4.governance.ProposalType;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.monitor.Impact;
import io.x0tta6bl4.monitor.MeshLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The impact watch (issue 13): once an executed proposal's impact window is over, the leader
 * compares the mesh's load over the window before the EXECUTE with the window after it
 * ({@link Impact}, on the samples every node holds in its {@link MeshLoad}) and writes an IMPACT
 * entry. If the error rate rose by more than {@link Impact#HARMFUL_ERROR_RISE} points and the
 * proposal can be rolled back (a CONFIG_UPDATE or a ROLLBACK), the same batch carries a ROLLBACK
 * proposal of it, on the original proposal's voting period and execution delay: the mesh decides
 * whether to undo it, as it decided to do it.
 */
final class ImpactWatch {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far back the samples go ({@link MeshLoad} keeps an hour, less a margin): a proposal whose "before" window is older is not measured. */
    static final Duration HORIZON = Duration.ofMinutes(58);

    private final SpiffeId self;
    private final MeshLoad load;

    ImpactWatch(SpiffeId self, MeshLoad load) {
        this.self = self;
        this.load = load;
    }

    /** The IMPACT entry of {@code p} (and a ROLLBACK proposal when it did harm), measured now. */
    List<Submission> measure(Proposal p) {
        Instant executed = p.timeline().stream().filter(e -> e.what().equals(GovernanceFold.EXECUTE)).map(Proposal.Event::at).reduce((a, b) -> b)
                .orElseThrow();
        Duration window = p.rules().impactWindow();
        long at = executed.toEpochMilli();
        Impact.Comparison c = Impact.compare(load.between(at - window.toMillis(), at), load.between(at, at + window.toMillis()));
        boolean rollbackable = p.type() == ProposalType.CONFIG_UPDATE || p.type() == ProposalType.ROLLBACK;
        String rollback;
        if (!c.harmful()) {
            rollback = c.judged() ? "not needed" : "not judged: no API requests before or after the execution";
        } else {
            rollback = rollbackable ? "proposed" : "not possible: a " + p.type() + " cannot be rolled back by a proposal";
        }
        String summary = String.format(Locale.ROOT, "error rate %.2f%% -> %.2f%% (%+.2f points), throughput %.1f -> %.1f req/s, p99 %.1f -> %.1f ms, cpu %.0f%% -> %.0f%%; rollback %s",
                c.before().errorRatePercent(), c.after().errorRatePercent(), c.errorRateRise(), c.before().requestsPerSecond(), c.after().requestsPerSecond(),
                c.before().latencyP99Micros() / 1000, c.after().latencyP99Micros() / 1000, c.before().cpuPercent(), c.after().cpuPercent(), rollback);
        ObjectNode m = JSON.createObjectNode().put("window_ms", window.toMillis()).put("executed_at", executed.toString());
        figures(m.putObject("before"), c.before());
        figures(m.putObject("after"), c.after());
        m.put("error_rate_rise_points", round(c.errorRateRise())).put("harmful", c.harmful()).put("rollback", rollback).put("summary", summary);
        List<Submission> batch = new ArrayList<>(2);
        boolean raise = c.harmful() && rollbackable;
        batch.add(GovernanceFold.impact(self, p.id(), m, raise));
        if (raise) {
            batch.add(GovernanceFold.propose(self, ProposalType.ROLLBACK, "Roll back " + p.id() + ": error rate " + String.format(Locale.ROOT, "%+.2f", c.errorRateRise())
                            + " points", "Raised by the impact watch: " + summary + ". The proposal it rolls back: " + p.title(),
                    JSON.createObjectNode().put("proposal", p.id()), Optional.of(p.rules().votingPeriod()), Optional.of(p.rules().executionDelay()),
                    Optional.of(p.rules().impactWindow())));
        }
        return batch;
    }

    private static void figures(ObjectNode o, Impact.Figures f) {
        o.put("requests_per_second", round(f.requestsPerSecond())).put("error_rate_percent", round(f.errorRatePercent()))
                .put("latency_p50_ms", round(f.latencyP50Micros() / 1000)).put("latency_p99_ms", round(f.latencyP99Micros() / 1000))
                .put("cpu_percent", round(f.cpuPercent())).put("nodes", f.nodes()).put("samples", f.samples());
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
