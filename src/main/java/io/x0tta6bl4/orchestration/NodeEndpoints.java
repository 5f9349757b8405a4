package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a running node listens, as it published them in {@code DATA_DIR/endpoints.json} once all
 * three of its listeners were bound: its HTTPS API, its mutual-TLS peer channel and its Raft
 * replica. Nodes bind port 0 the first time and keep what the kernel gave them, so the only
 * source of a node's ports is what it publishes.
 */
public record NodeEndpoints(String host, int api, int peer, int raft) {
    public NodeEndpoints {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: required");
        }
        for (int p : new int[] {api, peer, raft}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("ports must be 1..65535, got api " + api + ", peer " + peer + ", raft " + raft);
            }
        }
    }

    /** The node's Raft address as a seed for a joiner. */
    public NodeSpec.Seed seed(String name) {
        return new NodeSpec.Seed(name, host, raft);
    }

    /**
     * What a node wrote to {@code DATA_DIR/endpoints.json}:
     * {@code {"format":1,"name":"node-3","pid":12345,"started":"...","host":"127.0.0.1","api":41001,"peer":41002,"raft":41003}}.
     * {@code pid} and {@code started} say which process published it: a file left by an earlier
     * run of the node names another one.
     */
    record Published(String name, NodeProcess process, NodeEndpoints endpoints) {
        /**
         * Whether the file was written by {@code p}: the same pid, and stamped no earlier than
         * {@code p} started (less {@link NodeProcesses#START_TOLERANCE}). A file left by an earlier
         * run names a process that started before this one, so it never passes, even should the
         * pid have come round again. "No earlier" rather than "equal": the contract asks for the
         * JVM's own start instant, but a node that stamps the moment its runtime started (a second
         * or so later) has still written its file in this run.
         */
        boolean by(NodeProcess p) {
            return process.pid() == p.pid() && !process.started().isBefore(p.started().minus(NodeProcesses.START_TOLERANCE));
        }
    }

    /**
     * Reads a node's endpoints file; empty while there is none (the node has not published yet).
     * A file that is there but malformed is an {@link IllegalArgumentException} naming the field.
     */
    static Optional<Published> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        JsonReader r = new JsonReader(file.toString());
        JsonNode root = r.parseObject(text);
        long format = r.integer(root, "", "format", 1, Integer.MAX_VALUE);
        if (format != 1) {
            throw new IllegalArgumentException(file + ": format " + format + " is not supported (this version reads format 1)");
        }
        Instant started = r.instant(root, "", "started");
        return Optional.of(new Published(r.text(root, "", "name"), new NodeProcess(r.integer(root, "", "pid", 1, Long.MAX_VALUE), started),
                new NodeEndpoints(r.text(root, "", "host"), r.port(root, "", "api"), r.port(root, "", "peer"), r.port(root, "", "raft"))));
    }
}
