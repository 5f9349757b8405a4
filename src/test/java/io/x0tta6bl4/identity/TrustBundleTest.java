package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
}
