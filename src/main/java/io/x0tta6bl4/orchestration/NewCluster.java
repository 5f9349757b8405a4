package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.policy.Policy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Writes a new cluster's directory for {@code cluster up} (the layout is {@link HostLayout}'s):
 * the CA ({@code DIR/ca}, as {@code ca init} makes it), its public half ({@code DIR/bundle}), this
 * host's intermediate issuer ({@code DIR/host/issuer}) and the operator's X.509-SVID
 * ({@code DIR/operator}), the bootstrap policy ({@value #POLICY}, {@link Policy#defaultDocument}),
 * how this host starts nodes ({@code DIR/host/launch.json}, with the jar pinned), and last
 * cluster.json. No node is enrolled here: the host agent enrols each node it spawns, and the roots
 * are not needed again until the operator mints a token. Nothing is started here.
 */
final class NewCluster {
    /** The bootstrap policy's file in the cluster directory; every node.yaml names it. */
    static final String POLICY = "policy.yaml";
    /** This host's name in its SPIFFE ID, {@code spiffe://DOMAIN/host/local}: a local cluster has one host. */
    static final String HOST_NAME = "local";
    /** The host issuer's and the operator credential's lifetime; both are renewed by making the cluster again. */
    static final Duration ISSUER_TTL = Duration.ofDays(30);
    /** The operator's SPIFFE ID path: the CLI presents it to the host agent. */
    static final String OPERATOR_PATH = "/operator/cli";

    private NewCluster() {}

    static ClusterState create(Path dir, LocalCluster.Settings settings, NodeLaunch launch, Consumer<String> progress) {
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
        HostLayout layout = new HostLayout(dir);
        Instant now = Instant.now();
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = CertificateAuthority.init(layout.ca(), settings.trustDomain(), now, random);
        progress.accept("CA for spiffe://" + ca.trustDomain() + " created in " + ca.dir() + " (its roots are used by this command only)");
        ca.bundle().export(layout.bundle());
        var issuer = ca.issueIssuer(HOST_NAME, ISSUER_TTL, now, random, layout.issuer());
        ca.issueClient(new SpiffeId(ca.trustDomain(), OPERATOR_PATH), ISSUER_TTL, now, random, layout.operator());
        progress.accept("trust bundle in " + layout.bundle() + "; host issuer " + issuer.id() + " in " + layout.issuer() + " (valid "
                + ISSUER_TTL.toDays() + " days); operator spiffe://" + ca.trustDomain() + OPERATOR_PATH + " in " + layout.operator());
        Path policy = layout.policy();
        try {
            Files.writeString(policy, Policy.defaultDocument(ca.trustDomain()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot write " + policy + ": " + e.getMessage(), e);
        }
        progress.accept("bootstrap policy in " + policy + " (the ledger's leader installs it; the host agent decides by it)");
        pinned(dir, launch).save(layout.launch());
        ClusterState state = new ClusterState(dir, settings.trustDomain(), now, List.of());
        // Written last: until it exists nothing runs, and a half-made directory is refused by the next up.
        state.save();
        return state;
    }

    /**
     * When nodes run from the packaged jar ({@code ./x0tta6bl4}), a copy of it in {@code DIR/bin}
     * (its dependencies stay where they are, named one by one on the class path). The launcher
     * rebuilds {@code target/x0tta6bl4.jar} in place whenever the sources change, and a running
     * JVM whose jar is rewritten under it fails at its next class load; with the copy, a rebuild
     * does not break a running cluster, and a node restarted later runs what {@code up} started.
     */
    static NodeLaunch pinned(Path dir, NodeLaunch launch) {
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
        if (manifest == null || !NodeLaunch.MAIN_CLASS.equals(manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))) {
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
        return new NodeLaunch(launch.java(), options, String.join(File.pathSeparator, entries), launch.mainClass(), launch.arguments());
    }
}
