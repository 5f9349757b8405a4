package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code data_dir/endpoints.json}: where a running node listens, written once all its listeners
 * are bound and it serves, for whoever started it (a host agent, a test) to find it without
 * choosing its ports in advance:
 *
 * <pre>
 * {"format":1, "name":"node-3", "pid":12345, "started":"2026-12-06T21:00:00.123Z",
 *  "host":"127.0.0.1", "api":41001, "peer":41002, "raft":41003}
 * </pre>
 *
 * {@code started} is the instant the node started, so a reader can tell this run's file from an
 * earlier run's. The next start of the node binds the same ports again, so that peers' links and
 * the ledger group's configuration stay valid across a restart.
 */
final class PublishedEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedEndpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FILE = "endpoints.json";

    private PublishedEndpoints() {}

    record Published(String name, long pid, Instant started, String host, int api, int peer, int raft) {}

    /** The file of an earlier run, if there is a readable one. */
    static Optional<Published> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            return Optional.of(new Published(n.path("name").asText(), n.path("pid").asLong(), Instant.parse(n.path("started").asText()),
                    n.path("host").asText(), port(n, "api"), port(n, "peer"), port(n, "raft")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} is not a readable endpoints file ({}); this node picks new ports", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static int port(JsonNode n, String field) {
        int p = n.path(field).asInt(-1);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(field + " is not a port");
        }
        return p;
    }

    static void write(Path dataDir, Published p) {
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        String json = JSON.createObjectNode().put("format", 1).put("name", p.name()).put("pid", p.pid()).put("started", p.started().toString())
                .put("host", p.host()).put("api", p.api()).put("peer", p.peer()).put("raft", p.raft()).toString() + "\n";
        try {
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot publish this node's endpoints in " + file + ": " + e.getMessage(), e);
        }
    }
}
