package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustBundleTest {
    @TempDir Path tmp;

    @Test
    void aBundleBuiltFromItsPartsVerifiesLikeTheLoadedOne() throws Exception {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        NodeCredentials node = Fixtures.node(ca, "node-a", 2);
        TrustBundle loaded = ca.bundle();
        MlDsaPublicKey jwt = MlDsaPublicKey.decode(Fixtures.pemDer(ca.dir().resolve("jwt.pub")));

        TrustBundle rebuilt = TrustBundle.of(DOMAIN, TrustBundle.certificate(loaded.x509Root().getEncoded()),
                TrustBundle.certificate(loaded.pqRoot().getEncoded()), Map.of(Jwt.kid(ca.dir()), jwt));

        assertThat(rebuilt.verifySvid(node.svidChain(), T0)).isEqualTo(node.id());
        assertThat(rebuilt.verifyIdentity(node.identity(), node.svidChain().getFirst(), T0).id()).isEqualTo(node.id().toString());
        assertThat(rebuilt.pqRootKey()).isEqualTo(loaded.pqRootKey());
        assertThat(rebuilt.pqRootKey().verify(node.identity().toBeSigned(), node.identity().signature())).isTrue();
        assertThat(rebuilt.jwtAuthority(Jwt.kid(ca.dir()))).contains(jwt);
        assertThat(rebuilt.jwtAuthority("0000000000000000")).isEmpty();
    }

    @Test
    void aPqRootThatIsNotMlDsa65IsRefused() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);

        assertThatThrownBy(() -> TrustBundle.of(DOMAIN, ca.bundle().x509Root(), ca.bundle().x509Root(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ML-DSA-65");
    }

    @Test
    void anInvalidTrustDomainIsRefused() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);

        assertThatThrownBy(() -> TrustBundle.of("Example.org", ca.bundle().x509Root(), ca.bundle().pqRoot(), Map.of()))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageStartingWith("invalid trust domain 'Example.org'");
    }

    @Test
    void certificateRefusesBytesThatAreNotACertificate() {
        assertThatThrownBy(() -> TrustBundle.certificate(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an X.509 certificate");
    }

    @Test
    void loadRefusesAPqRootCertificateThatIsNotMlDsa() throws Exception {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);
        Files.delete(dir.resolve("root-mldsa.crt"));
        Files.copy(dir.resolve("root.crt"), dir.resolve("root-mldsa.crt"));

        assertThatThrownBy(() -> TrustBundle.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("root-mldsa.crt")
                .hasMessageContaining("is not an ML-DSA-65 certificate");
    }

    // export: the public half in a directory of its own

    @Test
    void anExportedBundleHoldsNoPrivateKeyAndLoadsAsAnEqualBundle() throws Exception {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        NodeCredentials node = Fixtures.node(ca, "node-a", 2);
        Path out = tmp.resolve("bundle");

        ca.bundle().export(out);

        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("ca.json", "jwt.pub", "root-mldsa.crt", "root.crt")
                    .noneMatch(name -> name.endsWith(".key"));
        }
        for (String f : List.of("ca.json", "jwt.pub", "root-mldsa.crt", "root.crt")) {
            assertThat(Files.readString(out.resolve(f))).as(f).doesNotContain("PRIVATE KEY");
            assertThat(Files.getPosixFilePermissions(out.resolve(f))).as(f).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        }
        TrustBundle loaded = TrustBundle.load(out);
        assertThat(loaded).isEqualTo(ca.bundle()).hasSameHashCodeAs(ca.bundle());
        assertThat(loaded.verifySvid(node.svidChain(), T0)).isEqualTo(node.id());
        assertThat(loaded.verifyIdentity(node.identity(), node.svidChain().getFirst(), T0).id()).isEqualTo(node.id().toString());
        assertThat(loaded.jwtAuthority(Jwt.kid(ca.dir()))).contains(MlDsaPublicKey.decode(Fixtures.pemDer(ca.dir().resolve("jwt.pub"))));
        assertThat(Files.readString(out.resolve("root.crt"))).isEqualTo(Files.readString(ca.dir().resolve("root.crt")));
    }

    @Test
    void bundlesOfDifferentCasAreNotEqual() {
        TrustBundle one = Fixtures.ca(tmp.resolve("one"), DOMAIN, 1).bundle();
        TrustBundle two = Fixtures.ca(tmp.resolve("two"), DOMAIN, 2).bundle();

        assertThat(one).isNotEqualTo(two);
        assertThat(one).isNotEqualTo(TrustBundle.of(DOMAIN, one.x509Root(), one.pqRoot(), Map.of()));
        assertThat(one.toString()).isEqualTo("TrustBundle[example.org, JWT-SVID keys [" + Jwt.kid(tmp.resolve("one")) + "]]");
    }

    @Test
    void exportIntoADirectoryThatHoldsAnythingIsRefusedAndWritesNothing() throws Exception {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        Path out = Files.createDirectories(tmp.resolve("bundle"));
        Files.writeString(out.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> ca.bundle().export(out))
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(out + ": is not empty; credentials are never written over or beside other files; export the bundle into a new directory");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("notes.txt");
        }
        assertThatThrownBy(() -> ca.bundle().export(out.resolve("notes.txt")))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("is a file, not a directory");
    }

    @Test
    void exportIntoAnEmptyDirectoryWorks() throws Exception {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        Path out = Files.createDirectories(tmp.resolve("bundle"));

        ca.bundle().export(out);

        assertThat(TrustBundle.load(out)).isEqualTo(ca.bundle());
    }

    @Test
    void aBundleWithoutExactlyOneJwtKeyCannotBeExported() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        TrustBundle noJwt = TrustBundle.of(DOMAIN, ca.bundle().x509Root(), ca.bundle().pqRoot(), Map.of());

        assertThatThrownBy(() -> noJwt.export(tmp.resolve("bundle")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds 0 JWT-SVID keys; a bundle directory holds exactly one (jwt.pub)");
        assertThat(tmp.resolve("bundle")).doesNotExist();
    }

    @Test
    void anExportedBundleIsNotMistakenForACa() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        Path out = tmp.resolve("bundle");
        ca.bundle().export(out);

        assertThatThrownBy(() -> CertificateAuthority.load(out))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(out.resolve("ca.json").toString())
                .hasMessageContaining("belongs to an exported trust bundle (public keys only), not to a CA");
    }
}
