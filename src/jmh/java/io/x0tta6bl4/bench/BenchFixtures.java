package io.x0tta6bl4.bench;

import io.x0tta6bl4.crypto.AesGcm;
import io.x0tta6bl4.crypto.Envelope;
import io.x0tta6bl4.crypto.LocalKeys;
import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.MlKem;
import io.x0tta6bl4.crypto.PeerKeys;
import io.x0tta6bl4.crypto.Suite;
import io.x0tta6bl4.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * What the benchmarks share, so that a primitive is measured on exactly the inputs the envelope
 * hands it: the same sender and recipient ids, the same content type, the same 1 KiB plaintext,
 * and therefore the same header length (AES-GCM associated data, HKDF info) and the same signed
 * body length (ML-DSA-65 message).
 */
final class BenchFixtures {
    static final String SENDER = "spiffe://bench.local/node/node-a";
    static final String RECIPIENT = "spiffe://bench.local/node/node-b";
    static final String CONTENT_TYPE = "CONFIG_UPDATE";
    static final int PLAINTEXT_BYTES = 1024;
    /** The HKDF info prefix of docs/wire-formats.md: {@code "x0tta6bl4 envelope v1"}. */
    static final byte[] KDF_INFO_PREFIX = "x0tta6bl4 envelope v1".getBytes(StandardCharsets.US_ASCII);

    private BenchFixtures() {}

    /** One party's key pairs, as {@link LocalKeys} for itself and {@link PeerKeys} for others. */
    record Party(LocalKeys local, PeerKeys peer) {
        static Party generate(String id, SecureRandom random) {
            MlDsa dsa = MlDsa.generate(random);
            MlKem kem = MlKem.generate(random);
            X25519 x = X25519.generate(random);
            return new Party(new LocalKeys(id, dsa.privateKey(), kem.privateKey(), x.privateKey(), x.publicKey()),
                    new PeerKeys(id, dsa.publicKey(), kem.publicKey(), x.publicKey()));
        }
    }

    /**
     * Bytes of the envelope header (wire-formats.md): magic 2, version 1, suite 1, message id 16,
     * timestamp 8, then sender, recipient (u16 length + UTF-8 each) and content type (u8 length +
     * ASCII). 110 bytes with the ids above.
     */
    static int headerLength() {
        return 2 + 1 + 1 + 16 + 8
                + 2 + SENDER.getBytes(StandardCharsets.UTF_8).length
                + 2 + RECIPIENT.getBytes(StandardCharsets.UTF_8).length
                + 1 + CONTENT_TYPE.length();
    }

    /**
     * Bytes covered by the ML-DSA-65 signature of a 1 KiB envelope of {@code suite}: header, u16
     * KEM ciphertext length, KEM ciphertext, nonce, u32 ciphertext length, ciphertext with tag.
     * 2256 bytes for mlkem768, 2288 for xwing.
     */
    static int signedBodyLength(Suite suite) {
        return headerLength() + 2 + suite.kemCiphertextLength() + AesGcm.NONCE_LENGTH + 4
                + PLAINTEXT_BYTES + AesGcm.TAG_LENGTH;
    }

    /** The signed body length read off a real envelope, to check {@link #signedBodyLength}. */
    static int signedBodyLength(byte[] envelope) {
        return envelope.length - 2 - MlDsaPublicKey.SIGNATURE_LENGTH;
    }

    /** Seals one real envelope and fails loudly if the layout assumed above has drifted. */
    static void checkLayout(Suite suite, Party sender, Party recipient, SecureRandom random) {
        byte[] env = Envelope.seal(suite, sender.local(), recipient.peer(), CONTENT_TYPE, new byte[PLAINTEXT_BYTES],
                java.time.Instant.now(), random);
        if (signedBodyLength(env) != signedBodyLength(suite)) {
            throw new IllegalStateException("envelope layout changed: a 1 KiB " + suite.cliName() + " envelope signs "
                    + signedBodyLength(env) + " bytes, the benchmarks assume " + signedBodyLength(suite)
                    + "; update BenchFixtures and the messageBytes @Param");
        }
    }
}
