package io.x0tta6bl4.identity;

/** A string that is not a SPIFFE ID; the message says which rule it breaks. */
public final class InvalidSpiffeIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String problem;

    InvalidSpiffeIdException(String input, String problem) {
        this("SPIFFE ID", input, problem);
    }

    InvalidSpiffeIdException(String what, String input, String problem) {
        super("invalid " + what + " '" + abbreviate(input) + "': " + problem);
        this.problem = problem;
    }

    /** The broken rule alone, without the input. */
    public String problem() {
        return problem;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
