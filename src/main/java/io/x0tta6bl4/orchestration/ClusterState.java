package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code cluster up} created in a directory, persisted as {@code DIR/cluster.json}: the nodes
 * with their ports, the process each one runs as (pid and start instant, so that a pid the
 * system has since given to another process is never signalled), and the command that starts a
 * node, so that {@code cluster start} runs the same binaries with the same options.
 *
 * <pre>
 * {"format":1, "trust_domain":"x0tta6bl4.local", "created":"2026-11-24T12:00:00Z",
 *  "launch":{"java":"/usr/lib/jvm/jdk-25/bin/java", "jvm_options":["-XX:+UseZGC", ...],
 *            "class_path":"/opt/x0tta6bl4/target/x0tta6bl4.jar", "main_class":"io.x0tta6bl4.cli.Main",
 *            "arguments":["node","run","--config"]},
 *  "nodes":[{"name":"node-1","api_port":40001,"peer_port":40002,"raft_port":40003,"voter":true,
 *            "pid":1234,"started":"2026-11-24T12:00:01.230Z"}, ...]}
 * </pre>
 *
 * A node that was never started has {@code "pid": null}. The node's files live in
 * {@code DIR/<name>/}: {@code node.yaml}, {@code node.log} and {@code data/}.
 */
public record ClusterState(Path dir, String trustDomain, Instant created, Launch launch, List<NodeRecord> nodes) {
    public static final String FILE = "cluster.json";
    static final int FORMAT = 1;

    public ClusterState {
        nodes = List.copyOf(nodes);
        Set<String> names = new HashSet<>();
        for (NodeRecord n : nodes) {
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("node " + n.name() + " appears twice");
            }
        }
    }

    /** One node: its ports, whether it votes in the ledger's Raft group, and its process if started. */
    public record NodeRecord(String name, int apiPort, int peerPort, int raftPort, boolean voter, Optional<NodeProcess> process) {
        public NodeRecord withProcess(NodeProcess p) {
            return new NodeRecord(name, apiPort, peerPort, raftPort, voter, Optional.of(p));
        }
    }

    /** A started node process: its pid and the instant the operating system says it started. */
    public record NodeProcess(long pid, Instant started) {}

    /**
     * The command that runs a node: {@code java <jvmOptions> -cp <classPath> <mainClass> <arguments> <DIR/name/node.yaml>}.
     */
    public record Launch(Path java, List<String> jvmOptions, String classPath, String mainClass, List<String> arguments) {
        public Launch {
            jvmOptions = List.copyOf(jvmOptions);
            arguments = List.copyOf(arguments);
        }

        /** The main class of the {@code x0tta6bl4} command, which runs a node with {@code node run --config FILE}. */
        static final String MAIN_CLASS = "io.x0tta6bl4.cli.Main";

        /**
         * Nodes run by this JVM's java, on this JVM's class path (the jar under {@code ./x0tta6bl4}, the
         * test class path under a test), with ZGC (G1's 200 ms pause target is longer than the
         * detector's window), native access for SQLite and Netty, and the production logging
         * configuration even when a test one is on the class path.
         *
         * <p>The heap may grow to 256 MiB but is kept near 128 MiB and given back after 10 s unused.
         * A killed process keeps its sockets open until the kernel has freed its memory (about
         * 0.08 ms per MiB here), so every MiB a node holds delays the moment its peers can see it
         * gone: with the JVM's default initial heap (the whole 256 MiB, never uncommitted) a node
         * held ~490 MiB and its listener outlived a SIGKILL by 38-50 ms; with these, ~370-395 MiB and
         * 23-44 ms (docs/benchmarks.md).
         */
        public static Launch current() {
            List<String> options = new ArrayList<>(List.of("-XX:+UseZGC", "-Xmx256m", "-Xms32m", "-XX:SoftMaxHeapSize=128m",
                    "-XX:ZUncommitDelay=10", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
            java.net.URL logback = ClusterState.class.getResource("/logback.xml");
            if (logback != null) {
                options.add("-Dlogback.configurationFile=" + logback);
            }
            return new Launch(Path.of(System.getProperty("java.home"), "bin", "java"), options,
                    System.getProperty("java.class.path"), MAIN_CLASS, List.of("node", "run", "--config"));
        }

        public List<String> command(Path config) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
            cmd.addAll(arguments);
            cmd.add(config.toString());
            return cmd;
        }
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    public Path nodeDir(String name) {
        return dir.resolve(name);
    }

    public Path config(String name) {
        return nodeDir(name).resolve("node.yaml");
    }

    public Path log(String name) {
        return nodeDir(name).resolve("node.log");
    }

    public Path caDir() {
        return dir.resolve("ca");
    }

    public List<String> names() {
        return nodes.stream().map(NodeRecord::name).toList();
    }

    /** The node of that name; an unknown name is a usage error that lists the valid ones. */
    public NodeRecord node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() -> ClusterException.usage(
                "no node '" + name + "' in " + dir + "; the nodes are " + String.join(", ", names())));
    }

    public ClusterState with(NodeRecord node) {
        List<NodeRecord> updated = new ArrayList<>(nodes);
        updated.replaceAll(n -> n.name().equals(node.name()) ? node : n);
        return new ClusterState(dir, trustDomain, created, launch, updated);
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
            throw new IllegalArgumentException(source + ": format " + format + " is not supported (this version reads format " + FORMAT + ")");
        }
        JsonNode l = r.object(root, "", "launch");
        List<String> options = new ArrayList<>();
        JsonNode opts = r.array(l, "launch", "jvm_options");
        for (int i = 0; i < opts.size(); i++) {
            if (!opts.get(i).isTextual()) {
                throw new IllegalArgumentException(source + ": launch.jvm_options[" + i + "]: must be a string");
            }
            options.add(opts.get(i).textValue());
        }
        List<String> arguments = new ArrayList<>();
        JsonNode args = r.array(l, "launch", "arguments");
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).isTextual()) {
                throw new IllegalArgumentException(source + ": launch.arguments[" + i + "]: must be a string");
            }
            arguments.add(args.get(i).textValue());
        }
        Launch launch = new Launch(Path.of(r.text(l, "launch", "java")), options, r.text(l, "launch", "class_path"),
                r.text(l, "launch", "main_class"), arguments);
        List<NodeRecord> nodes = new ArrayList<>();
        JsonNode list = r.array(root, "", "nodes");
        if (list.isEmpty()) {
            throw new IllegalArgumentException(source + ": nodes: the list is empty");
        }
        for (int i = 0; i < list.size(); i++) {
            String path = "nodes[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                throw new IllegalArgumentException(source + ": " + path + ": must be an object");
            }
            String name = r.text(n, path, "name");
            if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException(source + ": " + path + ".name: '" + name + "' is not a node name");
            }
            Optional<Long> pid = r.optionalInteger(n, path, "pid", 1, Long.MAX_VALUE);
            Optional<NodeProcess> process = pid.map(p -> new NodeProcess(p, r.instant(n, path, "started")));
            nodes.add(new NodeRecord(name, r.port(n, path, "api_port"), r.port(n, path, "peer_port"), r.port(n, path, "raft_port"),
                    r.bool(n, path, "voter"), process));
        }
        return new ClusterState(dir, r.text(root, "", "trust_domain"), r.instant(root, "", "created"), launch, nodes);
    }

    String toJson() {
        ObjectNode root = JsonReader.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("trust_domain", trustDomain);
        root.put("created", created.toString());
        ObjectNode l = root.putObject("launch");
        l.put("java", launch.java().toString());
        ArrayNode opts = l.putArray("jvm_options");
        launch.jvmOptions().forEach(opts::add);
        l.put("class_path", launch.classPath());
        l.put("main_class", launch.mainClass());
        ArrayNode args = l.putArray("arguments");
        launch.arguments().forEach(args::add);
        ArrayNode list = root.putArray("nodes");
        for (NodeRecord n : nodes) {
            ObjectNode o = list.addObject();
            o.put("name", n.name());
            o.put("api_port", n.apiPort());
            o.put("peer_port", n.peerPort());
            o.put("raft_port", n.raftPort());
            o.put("voter", n.voter());
            if (n.process().isPresent()) {
                o.put("pid", n.process().get().pid());
                o.put("started", n.process().get().started().toString());
            } else {
                o.putNull("pid");
            }
        }
        return root.toPrettyString() + "\n";
    }

    /** Writes {@code DIR/cluster.json} atomically (a reader sees the old or the new file, never half of one). */
    void save() {
        Path file = file();
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
