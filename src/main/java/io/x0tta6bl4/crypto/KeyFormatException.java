package io.x0tta6bl4.crypto;

/** Key bytes from a file or a document that do not decode as the expected algorithm's key. */
public final class KeyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(message);
    }
}
