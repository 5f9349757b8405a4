package io.x0tta6bl4.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The problems found in one document so far; thrown together as one {@link PolicyException}. */
final class Problems {
    private final String source;
    private final List<PolicyException.Problem> found = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(int line, String field, String message) {
        found.add(new PolicyException.Problem(source, line, field, message));
    }

    int count() {
        return found.size();
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    /** All problems, by line (in the order found within a line). */
    PolicyException exception() {
        List<PolicyException.Problem> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(PolicyException.Problem::line));
        return new PolicyException(source, sorted);
    }

    static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
