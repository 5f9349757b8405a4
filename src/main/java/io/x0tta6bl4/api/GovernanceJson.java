package io.x0tta6bl4.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.Proposal;
import io.x0tta6bl4.governance.RuntimeConfig;
import io.x0tta6bl4.governance.Tally;
import java.util.Map;
import java.util.Optional;

/** The JSON of proposals and the runtime config, as docs/api.md and the OpenAPI document give it. */
final class GovernanceJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GovernanceJson() {}

    /** A proposal in brief (lists) or in full, with its votes and timeline. */
    static ObjectNode proposal(Proposal p, boolean full) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", p.id()).put("seq", p.seq()).put("type", p.type().name()).put("title", p.title()).put("state", p.state().name())
                .put("proposer", p.proposer().toString()).put("created_at", p.createdAt().toString()).put("deadline", p.deadline().toString());
        p.eta().ifPresentOrElse(t -> o.put("eta", t.toString()), () -> o.putNull("eta"));
        o.set("tally", tally(p.tally()));
        if (!full) {
            return o;
        }
        o.put("description", p.description());
        o.set("payload", p.payload());
        ObjectNode rules = o.putObject("rules");
        rules.put("voting_period_ms", p.rules().votingPeriod().toMillis()).put("execution_delay_ms", p.rules().executionDelay().toMillis())
                .put("impact_window_ms", p.rules().impactWindow().toMillis())
                .put("min_participation", p.rules().minParticipation()).put("min_approval", p.rules().minApproval())
                .put("credits", p.rules().credits()).put("max_weight", p.rules().maxWeight()).put("tally_mode", p.rules().mode().configName());
        ArrayNode eligible = o.putArray("eligible");
        p.eligible().forEach(eligible::add);
        ArrayNode votes = o.putArray("votes");
        p.votes().values().forEach(v -> votes.addObject().put("voter", v.voter().toString()).put("choice", v.choice().name())
                .put("weight", v.weight()).put("cost", v.weight() * v.weight()).put("rationale", v.rationale()).put("seq", v.seq())
                .put("at", v.at().toString()));
        p.detail().ifPresentOrElse(d -> o.set("detail", d), () -> o.putNull("detail"));
        ArrayNode timeline = o.putArray("timeline");
        p.timeline().forEach(e -> timeline.addObject().put("seq", e.seq()).put("at", e.at().toString()).put("what", e.what())
                .put("actor", e.actor().toString()).put("summary", e.summary()));
        return o;
    }

    static ObjectNode tally(Tally t) {
        return JSON.createObjectNode().put("mode", t.mode().configName()).put("yes", t.yes()).put("no", t.no())
                .put("approval", t.approval()).put("participation", t.participation()).put("voted", t.voted()).put("eligible", t.eligible())
                .put("spent", t.spent());
    }

    /**
     * Every runtime config key: the value in force on this node, and where it comes from: the
     * proposal that set it, the mesh {@code default}, or this node's own {@code node} (node.yaml)
     * for a key no proposal has set and that has no mesh default. Where this node had to adjust a
     * proposal's value to keep a pair valid (docs/governance.md), {@code proposed} is the
     * proposal's value.
     */
    static ObjectNode config(RuntimeConfig c, Map<ConfigKey, String> inForce) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode keys = o.putObject("keys");
        for (ConfigKey k : ConfigKey.values()) {
            ObjectNode e = keys.putObject(k.key());
            Optional<String> value = Optional.ofNullable(inForce.get(k)).or(() -> c.value(k));
            value.ifPresentOrElse(v -> e.put("value", v), () -> e.putNull("value"));
            Optional<RuntimeConfig.Setting> s = c.setting(k);
            if (s.isPresent()) {
                e.put("source", "proposal").put("proposal", s.get().proposal()).put("seq", s.get().seq());
                if (!s.get().value().equals(value.orElse(null))) {
                    e.put("proposed", s.get().value());
                }
            } else {
                e.put("source", k.meshDefault().isPresent() ? "default" : "node").putNull("proposal").putNull("seq");
            }
        }
        return o;
    }
}
