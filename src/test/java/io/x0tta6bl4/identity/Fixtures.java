package io.x0tta6bl4.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared set-up for the identity tests: a fixed time, seeded CAs, file snapshots. */
final class Fixtures {
    /** All CAs and credentials in these tests are made at this instant, never at the wall clock's. */
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final String DOMAIN = "example.org";
    static final Duration DAY = Duration.ofDays(1);

    private Fixtures() {}

    static CertificateAuthority ca(Path dir, String domain, long seed) {
        return CertificateAuthority.init(dir, domain, T0, new TestRandom(seed));
    }

    static NodeCredentials node(CertificateAuthority ca, String name, long seed) {
        return ca.issueNode(name, DAY, T0, new TestRandom(seed));
    }

    /** Issuers in these tests live 30 days from {@link #T0}. */
    static final Duration ISSUER_TTL = Duration.ofDays(30);

    /** A host agent's issuer made by {@code ca} at {@link #T0}, in {@code dir}. */
    static NodeIssuer issuer(CertificateAuthority ca, Path dir, String host, long seed) {
        return ca.issueIssuer(host, ISSUER_TTL, T0, new TestRandom(seed), dir);
    }

    /** A node enrolled by {@code issuer} at {@link #T0} for a day, in {@code dir}. */
    static NodeCredentials node(NodeIssuer issuer, Path dir, String name, long seed) {
        return issuer.issueNode(name, DAY, T0, new TestRandom(seed), dir);
    }

    /** Every regular file under {@code dir}, by relative path, with its bytes. */
    static Map<String, byte[]> snapshot(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The DER of the first PEM block of a file, read the way an operator's tool would. */
    static byte[] pemDer(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
            return Base64.getDecoder().decode(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PrivateKey ecPrivateKey(Path file) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemDer(file)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
