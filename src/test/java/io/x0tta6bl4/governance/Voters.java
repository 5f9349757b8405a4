package io.x0tta6bl4.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.mesh.Endpoints;
import io.x0tta6bl4.mesh.MembershipFold;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A made-up mesh for the governance tests: a CA, nodes with real ML-DSA-65 keys, and a ledger
 * of entries on a clock the test moves. Nothing sleeps; time is each entry's timestamp.
 */
final class Voters {
    static final String DOMAIN = "dao.test";
    static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    final CertificateAuthority ca;
    final Map<String, NodeCredentials> nodes = new LinkedHashMap<>();
    final VoteCheck check;
    final GovernanceFold fold;
    final List<LedgerEntry> log = new ArrayList<>();
    final SeededRandom random = new SeededRandom(7);
    Instant now = T0;
    Governance state = Governance.EMPTY;

    Voters(Path dir, int count) {
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, T0.minusSeconds(60), new SeededRandom(1));
        for (int i = 1; i <= count; i++) {
            nodes.put("node-" + i, ca.issueNode("node-" + i, Duration.ofDays(30), T0.minusSeconds(60), new SeededRandom(100 + i)));
        }
        check = new VoteCheck(ca.bundle());
        fold = new GovernanceFold(check);
    }

    /** A fresh ledger over {@code keys}' CA and nodes. */
    Voters(Voters keys) {
        ca = keys.ca;
        nodes.putAll(keys.nodes);
        check = keys.check;
        fold = new GovernanceFold(check);
    }

    static SpiffeId node(String name) {
        return SpiffeId.node(DOMAIN, name);
    }

    /** The first {@code voters} nodes join (and so vote: the first five joiners are voters); the rest join as listeners. */
    Voters joined() {
        int port = 40000;
        for (String name : nodes.keySet()) {
            append(MembershipFold.join(node(name), name, new Endpoints("127.0.0.1", port, port + 1, port + 2)), node(name).toString());
            port += 10;
        }
        return this;
    }

    /** Appends {@code s}, submitted by node-1, at the current time and folds it; returns the entry. */
    LedgerEntry append(Submission s) {
        return append(s, node("node-1").toString());
    }

    LedgerEntry append(Submission s, String submitter) {
        LedgerEntry e = new LedgerEntry(log.size(), now, s, submitter, log.size());
        log.add(e);
        state = fold.apply(state, e);
        return e;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    Vote.Signed signed(String proposal, String voter, Choice choice, int weight, String rationale) {
        NodeCredentials c = nodes.get(voter);
        return new Vote(proposal, node(voter), choice, weight, rationale).sign(c, random);
    }

    LedgerEntry vote(String proposal, String voter, Choice choice, int weight, String rationale) {
        return append(GovernanceFold.vote(signed(proposal, voter, choice, weight, rationale)));
    }

    static JsonNode set(String key, String value) {
        return JSON.createObjectNode().set("set", JSON.createObjectNode().put(key, value));
    }

    /** Proposes a CONFIG_UPDATE by node-1 and returns the new proposal's id. */
    String proposeConfig(String key, String value, Duration period, Duration delay) {
        LedgerEntry e = append(GovernanceFold.propose(node("node-1"), ProposalType.CONFIG_UPDATE, "set " + key, "", set(key, value),
                java.util.Optional.of(period), java.util.Optional.of(delay)));
        return state.madeAt(e.seq()).orElseThrow(() -> new AssertionError("proposal refused: " + state.refusal(e.seq()))).id();
    }

    LedgerEntry result(String proposal, String action, ProposalState to) {
        return append(GovernanceFold.result(node("node-1"), proposal, action, to, null));
    }

    Proposal proposal(String id) {
        return state.proposal(id).orElseThrow();
    }
}
