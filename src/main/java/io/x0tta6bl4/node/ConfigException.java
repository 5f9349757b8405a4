package io.x0tta6bl4.node;

import java.nio.file.Path;
import java.util.List;

/**
 * A node configuration file that cannot be used. Lists every problem found, each as
 * {@code file:line: field: what is wrong}, so an operator fixes them all in one go.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    ConfigException(Path file, List<String> problems) {
        super(file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code file:line: field: message}. */
    public List<String> problems() {
        return problems;
    }
}
