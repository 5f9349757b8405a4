package io.x0tta6bl4.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.crypto.DecapsulateException;

/**
 * The cipher suites an envelope can name. Both encrypt with AES-256-GCM under an HKDF-SHA256 key
 * and sign with ML-DSA-65; they differ in the key encapsulation. The id byte is on the wire and
 * never reused.
 */
public enum Suite {
    /** The source document's suite: ML-KEM-768 alone. */
    MLKEM768(1, "mlkem768", MlKemPublicKey.CIPHERTEXT_LENGTH),
    /** X25519 + ML-KEM-768 combined as X-Wing does; the default. */
    XWING(2, "xwing", HybridKem.CIPHERTEXT_LENGTH);

    public static final Suite DEFAULT = XWING;

    private final int id;
    private final String cliName;
    private final int kemCiphertextLength;

    Suite(int id, String cliName, int kemCiphertextLength) {
        this.id = id;
        this.cliName = cliName;
        this.kemCiphertextLength = kemCiphertextLength;
    }

    public int id() {
        return id;
    }

    /** The name used on the command line and in documents, e.g. {@code xwing}. */
    public String cliName() {
        return cliName;
    }

    public int kemCiphertextLength() {
        return kemCiphertextLength;
    }

    public static Optional<Suite> byId(int id) {
        return Arrays.stream(values()).filter(s -> s.id == id).findFirst();
    }

    /** @throws IllegalArgumentException naming the accepted names */
    public static Suite byName(String name) {
        return Arrays.stream(values())
                .filter(s -> s.cliName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown suite '" + name + "'; use one of: "
                        + Arrays.stream(values()).map(Suite::cliName).collect(Collectors.joining(", "))));
    }

    Encapsulation encapsulate(PeerKeys recipient, SecureRandom random) {
        return switch (this) {
            case MLKEM768 -> recipient.kem().encapsulate(random);
            case XWING -> HybridKem.encapsulate(recipient.kem(), recipient.x25519(), random);
        };
    }

    SharedSecret decapsulate(LocalKeys recipient, byte[] ciphertext) throws DecapsulateException {
        return switch (this) {
            case MLKEM768 -> recipient.kem().decapsulate(ciphertext);
            case XWING -> HybridKem.decapsulate(recipient.kem(), recipient.x25519(), recipient.x25519Public(), ciphertext);
        };
    }
}
