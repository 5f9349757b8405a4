package io.x0tta6bl4.identity;

import java.util.regex.Pattern;

/** Node names are DNS labels: they appear in SPIFFE IDs, file names and host names alike. */
public final class NodeName {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private NodeName() {}

    /** @throws IllegalArgumentException saying what a valid name looks like */
    public static String check(String name) {
        if (name == null || !LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("node name '" + name + "' must be 1-63 characters of a-z, 0-9 and '-', "
                    + "not starting or ending with '-' (for example node-1)");
        }
        return name;
    }
}
