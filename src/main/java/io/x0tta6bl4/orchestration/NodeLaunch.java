package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a host starts a node: {@code java <jvmOptions> -cp <classPath> <mainClass> <arguments> <DIR/name/node.yaml>}.
 * Kept in {@code DIR/host/launch.json}, written by {@code cluster up}, so that every node of a
 * host, and every restart of one, runs the same binaries with the same options, whichever
 * command asked for it. The host agent adds what it owns to each start (where sqlite-jdbc's
 * native library is, {@link NativeLibrary}); the agent itself runs with this java and class path.
 */
public record NodeLaunch(Path java, List<String> jvmOptions, String classPath, String mainClass, List<String> arguments) {
    /** The main class of the {@code x0tta6bl4} command, which runs a node with {@code node run --config FILE}. */
    public static final String MAIN_CLASS = "io.x0tta6bl4.cli.Main";
    static final int FORMAT = 1;

    public NodeLaunch {
        jvmOptions = List.copyOf(jvmOptions);
        arguments = List.copyOf(arguments);
    }

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
     *
     * <p>C1 only ({@code -XX:TieredStopAtLevel=1}): a node joining on a shared 2-core host spent
     * seconds of both cores in C2, and its peers missed their 50 ms probe deadlines meanwhile.
     * Measured on 5 nodes plus one added (docs/cluster.md, "Joining and false verdicts"): {@code
     * cluster up} 29-31 s instead of 44-52 s, {@code add-node} 11-12 s instead of 23-28 s, 0-3
     * suspects instead of 4-67, resident memory ~293 MiB instead of ~413 MiB. The price is peak
     * speed: {@code /health} served 9,158 req/s instead of 16,202 in the same command, while the
     * audited {@code /api/network/status} (bound by the ledger) served 292 instead of 189.
     */
    public static NodeLaunch current() {
        List<String> options = new ArrayList<>(List.of("-XX:+UseZGC", "-Xmx256m", "-Xms32m", "-XX:SoftMaxHeapSize=128m",
                "-XX:ZUncommitDelay=10", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        java.net.URL logback = NodeLaunch.class.getResource("/logback.xml");
        if (logback != null) {
            options.add("-Dlogback.configurationFile=" + logback);
        }
        return new NodeLaunch(Path.of(System.getProperty("java.home"), "bin", "java"), options,
                System.getProperty("java.class.path"), MAIN_CLASS, List.of("node", "run", "--config"));
    }

    /** The node's command line, with {@code extraOptions} (the host's own) after the launch's JVM options. */
    public List<String> command(List<String> extraOptions, Path config) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(extraOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(arguments);
        cmd.add(config.toString());
        return cmd;
    }

    /**
     * The host agent's own command line: the same java and class path as the nodes (so a
     * rebuild never mixes versions), a small heap, and {@code host run --dir DIR}.
     */
    public List<String> agentCommand(Path dir, List<String> extraArguments) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        jvmOptions.stream().filter(o -> o.startsWith("-Dlogback.configurationFile=")).forEach(cmd::add);
        cmd.addAll(List.of("-cp", classPath, MAIN_CLASS, "host", "run", "--dir", dir.toString()));
        cmd.addAll(extraArguments);
        return cmd;
    }

    static NodeLaunch parse(String source, String text) {
        JsonReader r = new JsonReader(source);
        JsonNode root = r.parseObject(text);
        long format = r.integer(root, "", "format", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw new IllegalArgumentException(source + ": format " + format + " is not supported (this version reads format " + FORMAT + ")");
        }
        return new NodeLaunch(Path.of(r.text(root, "", "java")), r.textList(root, "", "jvm_options"), r.text(root, "", "class_path"),
                r.text(root, "", "main_class"), r.textList(root, "", "arguments"));
    }

    String toJson() {
        ObjectNode root = JsonReader.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("java", java.toString());
        ArrayNode opts = root.putArray("jvm_options");
        jvmOptions.forEach(opts::add);
        root.put("class_path", classPath);
        root.put("main_class", mainClass);
        ArrayNode args = root.putArray("arguments");
        arguments.forEach(args::add);
        return root.toPrettyString() + "\n";
    }

    /** Reads {@code DIR/host/launch.json}; a missing or bad file is an {@link IllegalArgumentException} naming it. */
    static NodeLaunch load(Path file) {
        return parse(file.toString(), AtomicFiles.read(file, "it is written by cluster up; run cluster up again in a new directory"));
    }

    void save(Path file) {
        AtomicFiles.write(file, toJson());
    }
}
