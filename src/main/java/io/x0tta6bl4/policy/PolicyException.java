package io.x0tta6bl4.policy;

import java.util.List;
import java.util.Objects;

/**
 * A policy document that cannot be loaded. Every problem found is listed, each naming the line
 * and the field ({@code policy.yaml:7: rules[1].effect: "alow" is not one of allow, deny}), so an
 * operator fixes them all in one go and a proposal to change the policy can be refused with the
 * whole list before anyone votes on it. Nothing is loaded unless the document has no problem.
 */
public final class PolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * One thing wrong with a document.
     *
     * @param source  the document's name as given to {@link Policy#parse(String, String)}
     * @param line    1-based line of the field or item at fault
     * @param field   path of the field, e.g. {@code rules[1].conditions.source[0]}; empty for the
     *                document as a whole
     * @param message what is wrong and, where it helps, what to write instead
     */
    public record Problem(String source, int line, String field, String message) {
        public Problem {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }

        /** {@code source:line: field: message}, the form compilers and editors understand. */
        @Override
        public String toString() {
            return source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + message;
        }
    }

    private final transient List<Problem> problems;

    PolicyException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in document order. Never empty. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String source, List<Problem> problems) {
        if (problems.size() == 1) {
            return problems.getFirst().toString();
        }
        StringBuilder b = new StringBuilder(source).append(": ").append(problems.size()).append(" problems");
        for (Problem p : problems) {
            b.append("\n  ").append(p);
        }
        return b.toString();
    }
}
