package io.x0tta6bl4.crypto;

/** What a KEM's sender gets: the shared secret to keep and the ciphertext to send. */
public record Encapsulation(SharedSecret secret, byte[] ciphertext) {
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }
}
