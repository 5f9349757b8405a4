package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.NodeName;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What the cluster commands need to remember about a directory, and nothing more:
 * {@code DIR/cluster.json}.
 *
 * <pre>
 * {"format":2, "trust_domain":"x0tta6bl4.local", "created":"2026-12-06T21:00:00Z", "nodes":["node-1","node-2","node-3"]}
 * </pre>
 *
 * {@code nodes} are the names the commands made, in order, and still count as the cluster's
 * ({@code remove-node} takes a name out). Which process a node runs as, and where it listens, is
 * the host agent's to know ({@code DIR/host/state.json}, and each node's published endpoints): a
 * second copy here could only go stale. How nodes are started is the host's too
 * ({@code DIR/host/launch.json}, {@link NodeLaunch}).
 */
public record ClusterState(Path dir, String trustDomain, Instant created, List<String> nodes) {
    public static final String FILE = "cluster.json";
    static final int FORMAT = 2;
    private static final String LOCK = "cluster.lock";

    public ClusterState {
        dir = dir.toAbsolutePath().normalize();
        nodes = List.copyOf(nodes);
        Set<String> names = new HashSet<>();
        for (String n : nodes) {
            if (!names.add(n)) {
                throw new IllegalArgumentException("node " + n + " appears twice");
            }
        }
    }

    public HostLayout layout() {
        return new HostLayout(dir);
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    public Path log(String name) {
        return layout().log(name);
    }

    public Path config(String name) {
        return layout().config(name);
    }

    /** The name, if it is one of the cluster's nodes; otherwise a usage error that lists them. */
    public String node(String name) {
        if (!nodes.contains(name)) {
            throw ClusterException.usage("no node '" + name + "' in " + dir + "; the nodes are " + String.join(", ", nodes));
        }
        return name;
    }

    ClusterState with(String name) {
        List<String> n = new ArrayList<>(nodes);
        if (!n.contains(name)) {
            n.add(name);
        }
        return new ClusterState(dir, trustDomain, created, n);
    }

    ClusterState without(String name) {
        return new ClusterState(dir, trustDomain, created, nodes.stream().filter(n -> !n.equals(name)).toList());
    }

    /** Reads {@code DIR/cluster.json}; a missing or unreadable file is a usage error that says how to make one. */
    public static ClusterState load(Path dir) {
        Path file = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw noCluster(dir, Files.isDirectory(dir) ? file + " does not exist" : dir + " does not exist");
        } catch (IOException e) {
            throw noCluster(dir, "cannot read " + file + ": " + e.getMessage());
        }
        try {
            return parse(dir, file.toString(), text);
        } catch (IllegalArgumentException e) {
            throw noCluster(dir, e.getMessage());
        }
    }

    static ClusterException noCluster(Path dir, String why) {
        return ClusterException.usage("no cluster in " + dir + " (" + why + "); run cluster up --nodes N --dir " + dir);
    }

    static ClusterState parse(Path dir, String source, String text) {
        JsonReader r = new JsonReader(source);
        JsonNode root = r.parseObject(text);
        long format = r.integer(root, "", "format", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw new IllegalArgumentException(source + ": format " + format + " is not supported (this version reads format " + FORMAT
                    + (format < FORMAT ? "; the directory was made by an older version: bring it down with that version and make a new one" : "") + ")");
        }
        List<String> nodes = r.textList(root, "", "nodes");
        for (int i = 0; i < nodes.size(); i++) {
            try {
                NodeName.check(nodes.get(i));
            } catch (IllegalArgumentException e) {
                throw r.bad("nodes[" + i + "]", e.getMessage());
            }
        }
        return new ClusterState(dir, r.text(root, "", "trust_domain"), r.instant(root, "", "created"), nodes);
    }

    String toJson() {
        ObjectNode root = JsonReader.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("trust_domain", trustDomain);
        root.put("created", created.toString());
        ArrayNode list = root.putArray("nodes");
        nodes.forEach(list::add);
        return root.toPrettyString() + "\n";
    }

    /** Writes {@code DIR/cluster.json} atomically (a reader sees the old or the new file, never half of one). */
    void save() {
        AtomicFiles.write(file(), toJson());
    }

    /**
     * Counts {@code name} among the cluster's nodes in {@code DIR/cluster.json}, if the directory
     * has one: a node a RESOURCE_SCALING proposal started is the cluster's as much as one
     * {@code add-node} started ({@code cluster status}, {@code down} and {@code up} list it).
     */
    public static void enlist(Path dir, String name) {
        if (Files.exists(dir.resolve(FILE))) {
            update(dir, s -> s.with(name));
        }
    }

    /** Takes {@code name} out of {@code DIR/cluster.json}, if the directory has one (a scaling proposal stopped it). */
    public static void delist(Path dir, String name) {
        if (Files.exists(dir.resolve(FILE))) {
            update(dir, s -> s.without(name));
        }
    }

    /**
     * Changes cluster.json under {@code DIR/cluster.lock}, so that two commands adding nodes at
     * once (or a command and a test) do not lose each other's change.
     */
    static ClusterState update(Path dir, UnaryOperator<ClusterState> change) {
        synchronized (ClusterState.class) {
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.lock();
                try {
                    ClusterState next = change.apply(load(dir));
                    next.save();
                    return next;
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new ClusterException(ClusterException.Kind.FAILED, "cannot lock " + dir.resolve(LOCK) + ": " + e.getMessage(), e);
            }
        }
    }
}
