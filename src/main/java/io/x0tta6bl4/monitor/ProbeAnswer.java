package io.x0tta6bl4.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a node answers to a probe: who it is, its latest load sample, and its own view of which
 * peers are suspect or down (evidence for root-cause analysis: a node that everyone else sees
 * alive but that sees everyone down is itself cut off). Layout: docs/wire-formats.md §9.
 *
 * @param load    null when the node has not sampled yet
 * @param leader  the ledger leader as this node knows it, or null
 * @param started when the answering process started (its incarnation: a new value means it restarted), or null
 */
public record ProbeAnswer(String node, LoadSample load, List<String> suspect, List<String> down, String leader, String started) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_BYTES = 64 * 1024;

    public ProbeAnswer {
        suspect = List.copyOf(suspect);
        down = List.copyOf(down);
    }

    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("node", node);
        if (started != null) {
            o.put("started", started);
        }
        if (leader == null) {
            o.putNull("leader");
        } else {
            o.put("leader", leader);
        }
        ArrayNode s = o.putArray("suspect");
        suspect.forEach(s::add);
        ArrayNode d = o.putArray("down");
        down.forEach(d::add);
        if (load == null) {
            o.putNull("load");
        } else {
            o.set("load", loadJson(load));
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a probe answer", e);
        }
    }

    /** A load sample as JSON, in the field names of the wire format (also used by the node's view). */
    public static ObjectNode loadJson(LoadSample l) {
        ObjectNode o = JSON.createObjectNode();
        o.put("process_cpu_percent", l.processCpuPercent());
        o.put("system_cpu_percent", l.systemCpuPercent());
        o.put("heap_percent", l.heapPercent());
        o.put("memory_percent", l.memoryPercent());
        o.put("latency_p50_us", l.latencyP50Micros());
        o.put("latency_p99_us", l.latencyP99Micros());
        o.put("error_rate_percent", l.errorRatePercent());
        o.put("queue_length", l.queueLength());
        o.put("disk_write_us", l.diskWriteMicros());
        o.put("gc_pause_ms", l.gcPauseMillis());
        o.put("requests_per_second", l.requestsPerSecond());
        return o;
    }

    /**
     * Reads an answer that claims to come from {@code expectedNode}; empty when the body is not a
     * well-formed answer of that node (which the prober counts as a bad answer). The load sample's
     * time is set to {@code receivedNanos}: the peer's monotonic clock means nothing here.
     */
    public static Optional<ProbeAnswer> parse(byte[] body, String expectedNode, long receivedNanos) {
        if (body == null || body.length == 0 || body.length > MAX_BYTES) {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readTree(body);
            if (o == null || !o.isObject() || !o.path("node").isTextual() || !o.path("node").asText().equals(expectedNode)) {
                return Optional.empty();
            }
            List<String> suspect = names(o.get("suspect"));
            List<String> down = names(o.get("down"));
            if (suspect == null || down == null) {
                return Optional.empty();
            }
            JsonNode leader = o.path("leader");
            LoadSample load = loadFrom(o.path("load"), receivedNanos);
            JsonNode started = o.path("started");
            return Optional.of(new ProbeAnswer(expectedNode, load, suspect, down, leader.isTextual() ? leader.asText() : null,
                    started.isTextual() ? started.asText() : null));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A load sample from its JSON ({@link #loadJson}), taken at {@code atNanos} of the reader's clock; null if {@code l} is not an object. */
    static LoadSample loadFrom(JsonNode l, long atNanos) {
        if (l == null || !l.isObject()) {
            return null;
        }
        return new LoadSample(atNanos, l.path("process_cpu_percent").asDouble(-1), l.path("system_cpu_percent").asDouble(-1),
                l.path("heap_percent").asDouble(-1), l.path("memory_percent").asDouble(-1), l.path("latency_p50_us").asLong(-1),
                l.path("latency_p99_us").asLong(-1), l.path("error_rate_percent").asDouble(-1), l.path("queue_length").asInt(-1),
                l.path("disk_write_us").asLong(-1), l.path("gc_pause_ms").asLong(-1), l.path("requests_per_second").asDouble(-1));
    }

    private static List<String> names(JsonNode array) {
        if (array == null || !array.isArray() || array.size() > 1024) {
            return null;
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return null;
            }
            out.add(n.asText());
        }
        return out;
    }
}
