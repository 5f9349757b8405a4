package io.x0tta6bl4.crypto;

/** An envelope that passed every check: its authenticated header and its plaintext. */
public record Opened(EnvelopeHeader header, byte[] plaintext) {
    @Override
    public byte[] plaintext() {
        return plaintext.clone();
    }
}
