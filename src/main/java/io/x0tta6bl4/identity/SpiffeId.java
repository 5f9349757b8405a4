package io.x0tta6bl4.identity;

import java.nio.charset.StandardCharsets;

/**
 * A SPIFFE ID, {@code spiffe://<trust domain>/<path>}, validated as the SPIFFE-ID specification
 * (github.com/spiffe/spiffe, standards/SPIFFE-ID.md) requires:
 *
 * <ul>
 *   <li>the scheme is exactly {@code spiffe}, followed by {@code ://};
 *   <li>the trust domain is 1..255 characters of {@code a-z 0-9 . - _}: no upper case, no port,
 *       no user info;
 *   <li>the path is empty or a sequence of {@code /segment}, each segment 1+ characters of
 *       {@code a-z A-Z 0-9 . - _}, never {@code .} or {@code ..}, with no trailing slash;
 *   <li>no query, no fragment, no percent-encoding, and at most 2,048 bytes in all.
 * </ul>
 *
 * Each broken rule has its own message, so an operator sees what to fix.
 */
public record SpiffeId(String trustDomain, String path) {
    public static final int MAX_BYTES = 2048;
    public static final int MAX_TRUST_DOMAIN = 255;
    private static final String PREFIX = "spiffe://";

    public SpiffeId {
        checkTrustDomain(PREFIX + trustDomain + path, trustDomain);
        checkPath(PREFIX + trustDomain + path, path);
        if ((PREFIX + trustDomain + path).getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidSpiffeIdException(PREFIX + trustDomain + path, "longer than " + MAX_BYTES + " bytes");
        }
    }

    /** Parses and validates; throws {@link InvalidSpiffeIdException} naming the broken rule. */
    public static SpiffeId parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new InvalidSpiffeIdException("", "it is empty");
        }
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidSpiffeIdException(s, "longer than " + MAX_BYTES + " bytes");
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new InvalidSpiffeIdException(s, "no scheme; expected spiffe://trust-domain/path");
        }
        String scheme = s.substring(0, colon);
        if (!scheme.equals("spiffe")) {
            throw new InvalidSpiffeIdException(s, scheme.equalsIgnoreCase("spiffe")
                    ? "scheme must be 'spiffe' in lower case, got '" + scheme + "'"
                    : "scheme must be 'spiffe', got '" + scheme + "'");
        }
        if (!s.startsWith(PREFIX)) {
            throw new InvalidSpiffeIdException(s, "scheme must be followed by '://'");
        }
        String rest = s.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String td = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        return new SpiffeId(td, path);
    }

    /** {@code spiffe://<domain>/node/<name>}. */
    public static SpiffeId node(String trustDomain, String name) {
        return new SpiffeId(trustDomain, "/node/" + name);
    }

    /** {@code spiffe://<domain>/app/<name>}. */
    public static SpiffeId app(String trustDomain, String name) {
        return new SpiffeId(trustDomain, "/app/" + name);
    }

    /** Validates a trust domain name on its own (e.g. {@code ca init --trust-domain}). */
    public static String checkTrustDomain(String trustDomain) {
        try {
            checkTrustDomain(PREFIX + trustDomain, trustDomain);
        } catch (InvalidSpiffeIdException e) {
            throw new InvalidSpiffeIdException("trust domain", trustDomain, e.problem());
        }
        return trustDomain;
    }

    public boolean memberOf(String domain) {
        return trustDomain.equals(domain);
    }

    @Override
    public String toString() {
        return PREFIX + trustDomain + path;
    }

    private static void checkTrustDomain(String whole, String td) {
        if (td.isEmpty()) {
            throw new InvalidSpiffeIdException(whole, "trust domain is missing");
        }
        if (td.length() > MAX_TRUST_DOMAIN) {
            throw new InvalidSpiffeIdException(whole, "trust domain is " + td.length() + " characters; the limit is " + MAX_TRUST_DOMAIN);
        }
        for (int i = 0; i < td.length(); i++) {
            char c = td.charAt(i);
            if (c == '?') {
                throw new InvalidSpiffeIdException(whole, "a SPIFFE ID must not have a query ('?')");
            }
            if (c == '#') {
                throw new InvalidSpiffeIdException(whole, "a SPIFFE ID must not have a fragment ('#')");
            }
            if (c == '%') {
                throw new InvalidSpiffeIdException(whole, "percent-encoding is not allowed in a SPIFFE ID");
            }
            if (c == ':') {
                throw new InvalidSpiffeIdException(whole, "trust domain must not contain a port");
            }
            if (c == '@') {
                throw new InvalidSpiffeIdException(whole, "trust domain must not contain user info ('@')");
            }
            if (c >= 'A' && c <= 'Z') {
                throw new InvalidSpiffeIdException(whole, "trust domain must be lower case ('" + c + "' at position " + i + ")");
            }
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                throw new InvalidSpiffeIdException(whole, "trust domain has '" + c + "' at position " + i
                        + "; only a-z, 0-9, '.', '-' and '_' are allowed");
            }
        }
    }

    private static void checkPath(String whole, String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.charAt(0) != '/') {
            throw new InvalidSpiffeIdException(whole, "path must start with '/'");
        }
        if (path.endsWith("/")) {
            throw new InvalidSpiffeIdException(whole, "path must not end with '/'");
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidSpiffeIdException(whole, "path has an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidSpiffeIdException(whole, "path segments must not be '.' or '..'");
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c == '?') {
                    throw new InvalidSpiffeIdException(whole, "a SPIFFE ID must not have a query ('?')");
                }
                if (c == '#') {
                    throw new InvalidSpiffeIdException(whole, "a SPIFFE ID must not have a fragment ('#')");
                }
                if (c == '%') {
                    throw new InvalidSpiffeIdException(whole, "percent-encoding is not allowed in a SPIFFE ID path");
                }
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                    throw new InvalidSpiffeIdException(whole, "path has '" + c + "'; only a-z, A-Z, 0-9, '.', '-' and '_' are allowed in a segment");
                }
            }
        }
    }
}
