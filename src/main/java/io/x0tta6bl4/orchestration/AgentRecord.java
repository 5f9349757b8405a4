package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running host agent publishes in {@code DIR/host/agent.json}, so that clients find it:
 * {@code {"format":1,"pid":4242,"started":"2026-12-06T21:00:00.120Z","port":40123}}. Written
 * atomically once its listener is bound, removed when it exits normally; a file left by an agent
 * that was killed names a process that no longer runs (or a pid that now belongs to another
 * process, which the start instant tells apart), and {@link #running} says so.
 */
record AgentRecord(long pid, Instant started, int port) {
    static final int FORMAT = 1;

    /** This JVM's record. */
    static AgentRecord self(int port) {
        ProcessHandle me = ProcessHandle.current();
        return new AgentRecord(me.pid(), me.info().startInstant().orElseThrow(() -> OrchestratorException.failed(
                "this system does not tell a process's start instant; the host agent needs it to be told apart from a later process with its pid")), port);
    }

    /** The published record, if there is a file; a malformed one is an {@link IllegalArgumentException} naming the field. */
    static Optional<AgentRecord> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonReader r = new JsonReader(file.toString());
        JsonNode root = r.parseObject(AtomicFiles.read(file, "the host agent writes it when it starts"));
        long format = r.integer(root, "", "format", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw new IllegalArgumentException(file + ": format " + format + " is not supported (this version reads format " + FORMAT + ")");
        }
        return Optional.of(new AgentRecord(r.integer(root, "", "pid", 1, Long.MAX_VALUE), r.instant(root, "", "started"), r.port(root, "", "port")));
    }

    void save(Path file) {
        ObjectNode o = JsonReader.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("pid", pid);
        o.put("started", started.toString());
        o.put("port", port);
        AtomicFiles.write(file, o.toPrettyString() + "\n");
    }

    /** The agent's process, if the recorded pid is alive and started at the recorded instant. */
    Optional<ProcessHandle> running() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().startInstant()
                .filter(s -> Duration.between(s, started).abs().compareTo(NodeProcesses.START_TOLERANCE) <= 0).isPresent());
    }
}
