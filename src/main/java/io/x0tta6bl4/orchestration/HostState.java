package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host agent's record of its nodes, {@code DIR/host/state.json}: each node's spec and the
 * process it runs as (pid and start instant), in the order the nodes were first spawned.
 *
 * <pre>
 * {"format":1, "nodes":[{"spec":{...}, "pid":1234, "started":"2026-12-06T21:00:00.120Z"}, ...]}
 * </pre>
 *
 * It is written before a node is started (the spec, no process: intent first) and again once
 * its process exists, so an agent that is killed at any point and started again finds every node
 * it ever started and can tell, with {@link NodeProcesses#live}, which still run: those it
 * adopts, the others it lists as exited. It restarts none of them by itself.
 */
record HostState(List<Entry> nodes) {
    static final int FORMAT = 1;

    HostState {
        nodes = List.copyOf(nodes);
        Set<String> names = new HashSet<>();
        for (Entry e : nodes) {
            if (!names.add(e.spec().name())) {
                throw new IllegalArgumentException("node " + e.spec().name() + " appears twice");
            }
        }
    }

    /** One node: how it was spawned, and its last process if one was started. */
    record Entry(NodeSpec spec, Optional<NodeProcess> process) {}

    static HostState empty() {
        return new HostState(List.of());
    }

    /** Reads the file; a missing one is an empty state (a new host), a malformed one an {@link IllegalArgumentException} naming the field. */
    static HostState load(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        String source = file.toString();
        JsonReader r = new JsonReader(source);
        JsonNode root = r.parseObject(AtomicFiles.read(file, "the host agent writes it"));
        long format = r.integer(root, "", "format", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw new IllegalArgumentException(source + ": format " + format + " is not supported (this version reads format " + FORMAT + ")");
        }
        JsonNode list = r.array(root, "", "nodes");
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "nodes[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                throw r.bad(path, "must be an object");
            }
            r.only(n, path, "spec", "pid", "started");
            NodeSpec spec = AgentJson.spec(r, r.object(n, path, "spec"), path + ".spec");
            Optional<Long> pid = r.optionalInteger(n, path, "pid", 1, Long.MAX_VALUE);
            Optional<Instant> started = r.optionalInstant(n, path, "started");
            if (pid.isPresent() != started.isPresent()) {
                throw r.bad(path, "pid and started go together (both, or neither for a node never started)");
            }
            entries.add(new Entry(spec, pid.map(p -> new NodeProcess(p, started.get()))));
        }
        return new HostState(entries);
    }

    void save(Path file) {
        ObjectNode root = JsonReader.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("nodes");
        for (Entry e : nodes) {
            ObjectNode o = list.addObject();
            o.set("spec", AgentJson.spec(e.spec()));
            if (e.process().isPresent()) {
                o.put("pid", e.process().get().pid());
                o.put("started", e.process().get().started().toString());
            } else {
                o.putNull("pid");
                o.putNull("started");
            }
        }
        AtomicFiles.write(file, root.toPrettyString() + "\n");
    }
}
