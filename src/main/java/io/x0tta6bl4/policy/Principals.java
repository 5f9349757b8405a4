package io.x0tta6bl4.policy;

import io.x0tta6bl4.identity.InvalidSpiffeIdException;
import io.x0tta6bl4.identity.SpiffeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A rule's {@code principals}, compiled. Each entry is a SPIFFE ID, or a SPIFFE ID pattern:
 *
 * <ul>
 *   <li>the trust domain is always written out: a pattern never matches an ID of another trust
 *       domain, so a rule cannot grant across a federation boundary by accident;
 *   <li>{@code *} inside a path segment matches any run of characters within that one segment,
 *       possibly empty, never a {@code /}: {@code spiffe://d/app/*} matches
 *       {@code spiffe://d/app/foo} but neither {@code spiffe://d/app/foo/bar} nor
 *       {@code spiffe://d/application}; {@code spiffe://d/app/intern-*} matches
 *       {@code spiffe://d/app/intern-7};
 *   <li>{@code **} as the whole last segment matches one or more segments:
 *       {@code spiffe://d/app/**} matches {@code spiffe://d/app/foo} and
 *       {@code spiffe://d/app/foo/bar}, not {@code spiffe://d/app}; {@code spiffe://d/**} matches
 *       every ID of the domain except the bare {@code spiffe://d}.
 * </ul>
 *
 * With the wildcards replaced, an entry must be a valid SPIFFE ID, so a typo such as an upper
 * case trust domain is refused at load rather than silently matching nothing.
 *
 * <p>Because requests carry an already validated {@link SpiffeId} (trust domain and path held
 * apart), matching compares the trust domain with {@code equals} and the path against a form
 * chosen at compile time: exact, "prefix then one segment" (the common {@code /app/*}: a
 * {@code startsWith} and one {@code indexOf}), "prefix then anything" ({@code /**}), or segment by
 * segment with {@link Glob}. None allocates. Exact IDs are compared one by one, or looked up in a
 * hash set when a rule lists many.
 */
final class Principals {
    private static final String SCHEME = "spiffe://";

    private enum Kind { ONE_SEGMENT, ANY_DEPTH, SEGMENTS }

    private record Pattern(String trustDomain, Kind kind, String prefix, String[] segments, boolean endsAnyDepth) {
        boolean matches(SpiffeId id) {
            if (!trustDomain.equals(id.trustDomain())) {
                return false;
            }
            String path = id.path();
            return switch (kind) {
                case ONE_SEGMENT -> path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0;
                case ANY_DEPTH -> path.length() > prefix.length() && path.startsWith(prefix);
                case SEGMENTS -> segmentsMatch(path);
            };
        }

        private boolean segmentsMatch(String path) {
            int pos = 0;
            for (String segment : segments) {
                if (pos >= path.length()) {
                    return false;
                }
                int start = pos + 1;
                int end = path.indexOf('/', start);
                if (end < 0) {
                    end = path.length();
                }
                if (!Glob.matches(segment, 0, segment.length(), path, start, end)) {
                    return false;
                }
                pos = end;
            }
            return endsAnyDepth ? pos < path.length() : pos == path.length();
        }
    }

    /** Above this many exact IDs a hash lookup beats comparing each. */
    private static final int HASH_ABOVE = 8;

    private final SpiffeId[] exact;
    private final Set<SpiffeId> exactSet;
    private final Pattern[] patterns;

    private Principals(Set<SpiffeId> exact, Pattern[] patterns) {
        this.exact = exact.size() > HASH_ABOVE ? new SpiffeId[0] : exact.toArray(SpiffeId[]::new);
        this.exactSet = exact.size() > HASH_ABOVE ? Set.copyOf(exact) : null;
        this.patterns = patterns;
    }

    /** Compiles entries already checked by {@link #check}. */
    static Principals compile(List<String> entries) {
        Set<SpiffeId> exact = new LinkedHashSet<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String e : entries) {
            String rest = e.substring(SCHEME.length());
            int slash = rest.indexOf('/');
            String domain = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash);
            if (path.indexOf('*') < 0) {
                exact.add(new SpiffeId(domain, path));
            } else {
                patterns.add(pattern(domain, path));
            }
        }
        return new Principals(exact, patterns.toArray(Pattern[]::new));
    }

    private static Pattern pattern(String domain, String path) {
        int first = path.indexOf('*');
        int last = path.lastIndexOf('*');
        if (path.endsWith("/**") && first == path.length() - 2) {
            return new Pattern(domain, Kind.ANY_DEPTH, path.substring(0, path.length() - 2), null, true);
        }
        if (first == last && last == path.length() - 1) {
            return new Pattern(domain, Kind.ONE_SEGMENT, path.substring(0, last), null, false);
        }
        String[] segments = path.substring(1).split("/", -1);
        boolean anyDepth = segments[segments.length - 1].equals("**");
        if (anyDepth) {
            segments = Arrays.copyOf(segments, segments.length - 1);
        }
        return new Pattern(domain, Kind.SEGMENTS, null, segments, anyDepth);
    }

    /** Null when {@code entry} may be written in a rule's principals, else what is wrong with it. */
    static String check(String entry) {
        if (!entry.startsWith(SCHEME)) {
            return "\"" + entry + "\" is not a SPIFFE ID pattern; write spiffe://<trust domain>/<path>, e.g. spiffe://example.org/app/*";
        }
        String rest = entry.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String domain = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (domain.indexOf('*') >= 0) {
            return "\"" + entry + "\": the trust domain must be written out; a '*' there could match another trust domain";
        }
        if (path.contains("**") && !(path.endsWith("/**") && path.indexOf("**") == path.length() - 2)) {
            return "\"" + entry + "\": '**' may only be the whole last segment (e.g. spiffe://" + domain + "/app/**)";
        }
        try {
            SpiffeId.parse(SCHEME + domain + path.replace("**", "x").replace('*', 'x'));
        } catch (InvalidSpiffeIdException e) {
            return "\"" + entry + "\" is not a valid SPIFFE ID pattern: " + e.problem();
        }
        return null;
    }

    boolean matches(SpiffeId id) {
        if (exactSet != null && exactSet.contains(id)) {
            return true;
        }
        for (SpiffeId e : exact) {
            if (e.equals(id)) {
                return true;
            }
        }
        for (Pattern p : patterns) {
            if (p.matches(id)) {
                return true;
            }
        }
        return false;
    }
}
