package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON of the host agent's API, in both directions, and of the records it keeps
 * (state.json). Parsing is strict: unknown fields, wrong types and out-of-range values are a
 * {@link JsonReader.FieldProblem} naming the field, which the agent answers as 400 with that
 * field, so a request with a misspelt field changes nothing instead of being half understood.
 *
 * <pre>
 * spec     {"name":"node-3", "join":{"bootstrap":true} | {"seeds":["node-1@127.0.0.1:41234"]},
 *           "detector":"consecutive-misses", "svid_ttl_seconds":86400}
 * handle   {"name":"node-3", "pid":1234, "started":"2026-...Z", "state":"running",
 *           "endpoints":{"host":"127.0.0.1","api":41001,"peer":41002,"raft":41003} | null, "spec":{...}}
 * signal   {"name":"node-3", "pid":1234, "signalled":"2026-...Z"}
 * stopped  {"name":"node-3", "pid":1234, "outcome":"stopped|killed|not_running", "took_ms":812.5}
 * error    {"error":"conflict", "message":"..."}   (400 adds "field"; 403 has "rule" and "reason")
 * </pre>
 */
final class AgentJson {
    private AgentJson() {}

    static ObjectNode spec(NodeSpec spec) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("name", spec.name());
        ObjectNode join = o.putObject("join");
        switch (spec.join()) {
            case NodeSpec.Join.Bootstrap b -> join.put("bootstrap", true);
            case NodeSpec.Join.Seeds s -> {
                ArrayNode seeds = join.putArray("seeds");
                s.seeds().forEach(seed -> seeds.add(seed.toString()));
            }
        }
        o.put("detector", spec.detector().configName());
        o.put("svid_ttl_seconds", spec.svidTtl().toSeconds());
        return o;
    }

    static NodeSpec spec(JsonReader r, JsonNode o, String path) {
        r.only(o, path, "name", "join", "detector", "svid_ttl_seconds");
        String name = r.text(o, path, "name");
        JsonNode j = r.object(o, path, "join");
        String jp = JsonReader.join(path, "join");
        r.only(j, jp, "bootstrap", "seeds");
        NodeSpec.Join join;
        if (j.has("bootstrap") == j.has("seeds")) {
            throw r.bad(jp, "exactly one of bootstrap (true) and seeds (a list of name@host:raftport)");
        }
        if (j.has("bootstrap")) {
            if (!r.bool(j, jp, "bootstrap")) {
                throw r.bad(JsonReader.join(jp, "bootstrap"), "must be true (or give seeds instead)");
            }
            join = new NodeSpec.Join.Bootstrap();
        } else {
            List<String> texts = r.textList(j, jp, "seeds");
            if (texts.isEmpty()) {
                throw r.bad(JsonReader.join(jp, "seeds"), "at least one seed (name@host:raftport)");
            }
            List<NodeSpec.Seed> seeds = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                try {
                    seeds.add(NodeSpec.Seed.parse(texts.get(i)));
                } catch (IllegalArgumentException e) {
                    throw r.bad(JsonReader.join(jp, "seeds") + "[" + i + "]", e.getMessage());
                }
            }
            join = new NodeSpec.Join.Seeds(seeds);
        }
        String detector = r.text(o, path, "detector");
        DetectorSettings.Kind kind = null;
        for (DetectorSettings.Kind k : DetectorSettings.Kind.values()) {
            if (k.configName().equals(detector)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw r.bad(JsonReader.join(path, "detector"), "'" + detector + "' is not a detector; use consecutive-misses or phi-accrual");
        }
        long ttl = r.integer(o, path, "svid_ttl_seconds", 60, Duration.ofDays(3650).toSeconds());
        try {
            return new NodeSpec(name, join, kind, Duration.ofSeconds(ttl));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            throw colon > 0 && !m.substring(0, colon).contains(" ") ? r.bad(JsonReader.join(path, m.substring(0, colon)), m.substring(colon + 2))
                    : r.bad(path.isEmpty() ? "name" : path, m);
        }
    }

    static ObjectNode handle(NodeHandle h) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("name", h.name());
        o.put("pid", h.pid());
        o.put("started", h.started().toString());
        o.put("state", h.state().wire());
        if (h.endpoints().isPresent()) {
            o.set("endpoints", endpoints(h.endpoints().get()));
        } else {
            o.putNull("endpoints");
        }
        o.set("spec", spec(h.spec()));
        return o;
    }

    static NodeHandle handle(JsonReader r, JsonNode o, String path) {
        r.only(o, path, "name", "pid", "started", "state", "endpoints", "spec");
        Optional<NodeEndpoints> endpoints = o.get("endpoints") == null || o.get("endpoints").isNull() ? Optional.empty()
                : Optional.of(endpoints(r, r.object(o, path, "endpoints"), JsonReader.join(path, "endpoints")));
        return new NodeHandle(r.text(o, path, "name"), r.integer(o, path, "pid", 0, Long.MAX_VALUE), r.instant(o, path, "started"),
                processState(r, o, path), endpoints, spec(r, r.object(o, path, "spec"), JsonReader.join(path, "spec")));
    }

    private static ProcessState processState(JsonReader r, JsonNode o, String path) {
        String s = r.text(o, path, "state");
        for (ProcessState p : ProcessState.values()) {
            if (p.wire().equals(s)) {
                return p;
            }
        }
        throw r.bad(JsonReader.join(path, "state"), "'" + s + "' is not running, paused, exited or not-started");
    }

    static ObjectNode endpoints(NodeEndpoints e) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("host", e.host());
        o.put("api", e.api());
        o.put("peer", e.peer());
        o.put("raft", e.raft());
        return o;
    }

    static NodeEndpoints endpoints(JsonReader r, JsonNode o, String path) {
        return new NodeEndpoints(r.text(o, path, "host"), r.port(o, path, "api"), r.port(o, path, "peer"), r.port(o, path, "raft"));
    }

    static ObjectNode signalled(Orchestrator.Signalled s) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("name", s.name());
        o.put("pid", s.pid());
        o.put("signalled", s.signalled().toString());
        return o;
    }

    static Orchestrator.Signalled signalled(JsonReader r, JsonNode o) {
        return new Orchestrator.Signalled(r.text(o, "", "name"), r.integer(o, "", "pid", 1, Long.MAX_VALUE), r.instant(o, "", "signalled"));
    }

    static ObjectNode stopped(Orchestrator.Stopped s) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("name", s.name());
        o.put("pid", s.pid());
        o.put("outcome", s.outcome().name().toLowerCase(Locale.ROOT));
        o.put("took_ms", s.took().toNanos() / 1e6);
        return o;
    }

    static Orchestrator.Stopped stopped(JsonReader r, JsonNode o) {
        String outcome = r.text(o, "", "outcome");
        Orchestrator.Stopped.Outcome out;
        try {
            out = Orchestrator.Stopped.Outcome.valueOf(outcome.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw r.bad("outcome", "'" + outcome + "' is not stopped, killed or not_running");
        }
        JsonNode took = o.get("took_ms");
        if (took == null || !took.isNumber() || took.doubleValue() < 0) {
            throw r.bad("took_ms", "must be a number of milliseconds, at least 0");
        }
        return new Orchestrator.Stopped(r.text(o, "", "name"), r.integer(o, "", "pid", 0, Long.MAX_VALUE), out,
                Duration.ofNanos(Math.round(took.doubleValue() * 1e6)));
    }

    static ObjectNode error(OrchestratorException e) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("error", e.code().wire());
        if (e.code() == OrchestratorException.Code.ACCESS_DENIED) {
            o.put("rule", e.rule().orElse(""));
            o.put("reason", e.getMessage());
        } else {
            e.field().ifPresent(f -> o.put("field", f));
            o.put("message", e.getMessage());
        }
        return o;
    }

    /** The agent's error body as an exception, or empty when the body is not one. */
    static Optional<OrchestratorException> error(int status, String body) {
        JsonNode n;
        try {
            n = JsonReader.MAPPER.readTree(body);
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !n.path("error").isTextual()) {
            return Optional.empty();
        }
        Optional<OrchestratorException.Code> code = OrchestratorException.Code.of(n.get("error").asText());
        if (code.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(switch (code.get()) {
            case ACCESS_DENIED -> OrchestratorException.denied(n.path("rule").asText(), n.path("reason").asText());
            case BAD_REQUEST -> OrchestratorException.badRequest(n.path("field").asText(), n.path("message").asText());
            default -> new OrchestratorException(code.get(), n.path("message").asText());
        });
    }
}
