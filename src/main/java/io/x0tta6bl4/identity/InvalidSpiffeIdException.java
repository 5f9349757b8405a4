package io.x0tta6bl4.identity;

/** A string that is not a SPIFFE ID; the message says which rule it breaks. */
public final class InvalidSpiffeIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSpiffeIdException(String input, String problem) {
        super("invalid SPIFFE ID '" + abbreviate(input) + "': " + problem);
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
