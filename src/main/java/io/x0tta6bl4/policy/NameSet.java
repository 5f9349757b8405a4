package io.x0tta6bl4.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A rule's {@code resources} or {@code actions}, compiled. A name is 1-128 characters of
 * {@code a-z A-Z 0-9 . _ : / -}; a pattern may also hold {@code *}, which matches any run of
 * characters (possibly empty, {@code /} included: resource names are flat words, not paths).
 * A lone {@code *} matches every name.
 *
 * <p>Compiled into the cheapest check that is exact: a flag for {@code *}, a short array of exact
 * names compared with {@link String#equals} (faster than hashing for the two to five names a rule
 * usually lists; a hash set above eight), then prefix, suffix and general patterns.
 */
final class NameSet {
    static final int MAX_LENGTH = 128;

    private enum Kind { EXACT, PREFIX, SUFFIX, GLOB }

    private record Pattern(Kind kind, String text, String fixed) {}

    /** Above this many exact names a hash lookup beats comparing each. */
    private static final int HASH_ABOVE = 8;

    private final boolean any;
    private final List<String> names;
    private final String[] exact;
    private final Set<String> exactSet;
    private final Pattern[] patterns;

    private NameSet(boolean any, Set<String> exact, Pattern[] patterns) {
        this.any = any;
        this.names = List.copyOf(exact);
        this.exact = exact.size() > HASH_ABOVE ? new String[0] : exact.toArray(String[]::new);
        this.exactSet = exact.size() > HASH_ABOVE ? Set.copyOf(exact) : null;
        this.patterns = patterns;
    }

    /** Compiles names already checked by {@link #check}. */
    static NameSet compile(List<String> names) {
        boolean any = false;
        Set<String> exact = new LinkedHashSet<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String n : names) {
            Pattern p = pattern(n);
            if (p.kind() == Kind.EXACT) {
                exact.add(n);
            } else if (n.chars().allMatch(c -> c == '*')) {
                any = true;
            } else if (!patterns.contains(p)) {
                patterns.add(p);
            }
        }
        return new NameSet(any, exact, patterns.toArray(Pattern[]::new));
    }

    private static Pattern pattern(String n) {
        int first = n.indexOf('*');
        if (first < 0) {
            return new Pattern(Kind.EXACT, n, n);
        }
        int last = n.lastIndexOf('*');
        if (first == last && last == n.length() - 1) {
            return new Pattern(Kind.PREFIX, n, n.substring(0, first));
        }
        if (first == last && first == 0) {
            return new Pattern(Kind.SUFFIX, n, n.substring(1));
        }
        return new Pattern(Kind.GLOB, n, n);
    }

    /**
     * Null when {@code name} may be written in a rule, else what is wrong with it.
     *
     * @param what "resource" or "action", for the message
     */
    static String check(String name, String what) {
        if (name.isEmpty()) {
            return "an empty " + what + " name; write a name such as read, or * for all";
        }
        if (name.length() > MAX_LENGTH) {
            return what + " is " + name.length() + " characters; the limit is " + MAX_LENGTH;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '/' || c == '-' || c == '*')) {
                return "\"" + name + "\" has '" + c + "'; a " + what + " is made of a-z, A-Z, 0-9, '.', '_', ':', '/', '-' and '*'";
            }
        }
        return null;
    }

    boolean matches(String name) {
        if (any || exactSet != null && exactSet.contains(name)) {
            return true;
        }
        for (String e : exact) {
            if (e.equals(name)) {
                return true;
            }
        }
        for (Pattern p : patterns) {
            boolean hit = switch (p.kind) {
                case PREFIX -> name.startsWith(p.fixed);
                case SUFFIX -> name.endsWith(p.fixed);
                case GLOB -> Glob.matches(p.text, 0, p.text.length(), name, 0, name.length());
                case EXACT -> p.text.equals(name);
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /** The names written without a wildcard. */
    List<String> exactNames() {
        return names;
    }

    /** Whether some name not listed exactly could match. */
    boolean hasWildcard() {
        return any || patterns.length > 0;
    }
}
