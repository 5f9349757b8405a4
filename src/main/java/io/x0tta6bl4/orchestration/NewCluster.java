package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.policy.Policy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Writes a new cluster's directory for {@code cluster up}: the CA (as {@code ca init} makes it),
 * the bootstrap policy ({@value #POLICY}, {@link Policy#defaultDocument}), each node's
 * credentials and node.yaml with free loopback ports, the pinned jar, and last cluster.json.
 * Nothing is started here.
 */
final class NewCluster {
    /** The bootstrap policy's file in the cluster directory; every node.yaml names it. */
    static final String POLICY = "policy.yaml";

    private NewCluster() {}

    static ClusterState create(Path dir, LocalCluster.Settings settings, ClusterState.Launch launch, Consumer<String> progress) {
        try {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw ClusterException.usage(dir + " is not empty and holds no " + ClusterState.FILE + "; choose a new or empty --dir");
                    }
                }
            } else if (Files.exists(dir)) {
                throw ClusterException.usage(dir + " is a file; --dir must be a new or empty directory");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ClusterException.usage("--dir " + dir + ": cannot create: " + e.getMessage());
        }
        Instant now = Instant.now();
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), settings.trustDomain(), now, random);
        progress.accept("CA for spiffe://" + ca.trustDomain() + " created in " + ca.dir());
        Path policy = dir.resolve(POLICY);
        try {
            Files.writeString(policy, Policy.defaultDocument(ca.trustDomain()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot write " + policy + ": " + e.getMessage(), e);
        }
        progress.accept("bootstrap policy in " + policy + ": spiffe://" + ca.trustDomain() + "/app/* and /node/* may read the mesh,"
                + " nothing else (the ledger's leader installs it)");
        List<Integer> ports = FreePorts.pick(3 * settings.nodes());
        List<ClusterState.NodeRecord> nodes = new ArrayList<>();
        for (int i = 0; i < settings.nodes(); i++) {
            String name = "node-" + (i + 1);
            ca.issueNode(name, settings.svidTtl(), now, random);
            nodes.add(new ClusterState.NodeRecord(name, ports.get(3 * i), ports.get(3 * i + 1), ports.get(3 * i + 2),
                    i < NodeYaml.MAX_VOTERS, Optional.empty()));
        }
        progress.accept("enrolled " + nodes.getFirst().name() + (nodes.size() > 1 ? " ... " + nodes.getLast().name() : "")
                + " (X.509-SVIDs valid for " + settings.svidTtl().toHours() + " h)");
        ClusterState state = new ClusterState(dir, settings.trustDomain(), now, pinned(dir, launch), nodes);
        for (ClusterState.NodeRecord n : nodes) {
            try {
                Files.createDirectories(state.nodeDir(n.name()).resolve("data"));
                Files.writeString(state.config(n.name()), NodeYaml.write(state, n.name(), settings.detector()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ClusterException(ClusterException.Kind.FAILED, "cannot write " + state.config(n.name()) + ": " + e.getMessage(), e);
            }
        }
        // Written last: until it exists nothing runs, and a half-made directory is refused by the next up.
        state.save();
        return state;
    }

    /**
     * When nodes run from the packaged jar ({@code ./x0tta6bl4}), a copy of it in {@code DIR/bin}
     * (its dependencies stay where they are, named one by one on the class path). The launcher
     * rebuilds {@code target/x0tta6bl4.jar} in place whenever the sources change, and a running
     * JVM whose jar is rewritten under it fails at its next class load; with the copy, a rebuild
     * does not break a running cluster, and {@code cluster start} runs what {@code up} started.
     */
    static ClusterState.Launch pinned(Path dir, ClusterState.Launch launch) {
        String cp = launch.classPath();
        if (cp.contains(File.pathSeparator) || !cp.endsWith(".jar")) {
            return launch;
        }
        Path jar = Path.of(cp).toAbsolutePath();
        Manifest manifest;
        try (JarFile f = new JarFile(jar.toFile())) {
            manifest = f.getManifest();
        } catch (IOException e) {
            return launch;
        }
        if (manifest == null || !ClusterState.Launch.MAIN_CLASS.equals(manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))) {
            return launch;
        }
        List<String> entries = new ArrayList<>();
        Path copy = dir.resolve("bin").resolve(jar.getFileName());
        try {
            Files.createDirectories(copy.getParent());
            Files.copy(jar, copy);
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot copy " + jar + " to " + copy + ": " + e.getMessage(), e);
        }
        entries.add(copy.toString());
        String manifestPath = manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        for (String entry : manifestPath == null ? new String[0] : manifestPath.trim().split("\\s+")) {
            entries.add(Path.of(jar.getParent().toUri().resolve(entry)).toString());
        }
        List<String> options = new ArrayList<>();
        for (String o : launch.jvmOptions()) {
            options.add(o.startsWith("-Dlogback.configurationFile=") ? "-Dlogback.configurationFile=jar:" + copy.toUri() + "!/logback.xml" : o);
        }
        return new ClusterState.Launch(launch.java(), options, String.join(File.pathSeparator, entries), launch.mainClass(), launch.arguments());
    }
}
