package io.x0tta6bl4.policy;

/**
 * Wildcard matching where {@code *} stands for any run of characters, possibly empty, over a
 * slice of a string. The classic two-pointer algorithm: on a mismatch, the most recent {@code *}
 * takes one more character. It runs in O(pattern × text) at worst, allocates nothing and needs no
 * regular expression, which is what keeps a decision in the sub-microsecond range.
 */
final class Glob {
    private Glob() {}

    /** Whether {@code pattern[ps, pe)} matches {@code text[ts, te)} in full. */
    static boolean matches(String pattern, int ps, int pe, String text, int ts, int te) {
        int p = ps;
        int t = ts;
        int star = -1;
        int mark = ts;
        while (t < te) {
            if (p < pe && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (p < pe && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pe && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pe;
    }
}
