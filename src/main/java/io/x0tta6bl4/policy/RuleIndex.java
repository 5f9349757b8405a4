package io.x0tta6bl4.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rules of a policy grouped by resource, so a decision looks at only the rules that can
 * apply. Every resource a document names literally gets its own list of candidates, worked out
 * at load by matching each rule's resource patterns against that name, so for these no resource
 * check remains at decision time. Any other resource name gets the rules with a wildcard among
 * their resources, checked at decision time. Each list is split into deny rules, allow rules
 * without a rate limit and allow rules with one, each in document order, which is the order
 * {@link Policy#decide} wants them in.
 */
final class RuleIndex {
    static final class Candidates {
        final CompiledRule[] deny;
        final CompiledRule[] allow;
        final CompiledRule[] limited;
        final boolean checkResource;

        Candidates(List<CompiledRule> rules, boolean checkResource) {
            this.deny = select(rules, r -> !r.allow);
            this.allow = select(rules, r -> r.allow && r.rate == null);
            this.limited = select(rules, r -> r.allow && r.rate != null);
            this.checkResource = checkResource;
        }

        private static CompiledRule[] select(List<CompiledRule> rules, Predicate<CompiledRule> which) {
            return rules.stream().filter(which).toArray(CompiledRule[]::new);
        }
    }

    private final Map<String, Candidates> byResource;
    private final Candidates otherResources;

    RuleIndex(List<CompiledRule> rules) {
        Set<String> names = new LinkedHashSet<>();
        for (CompiledRule r : rules) {
            names.addAll(r.resources.exactNames());
        }
        Map<String, Candidates> map = new HashMap<>();
        for (String name : names) {
            List<CompiledRule> matching = new ArrayList<>();
            for (CompiledRule r : rules) {
                if (r.resources.matches(name)) {
                    matching.add(r);
                }
            }
            map.put(name, new Candidates(matching, false));
        }
        this.byResource = Map.copyOf(map);
        this.otherResources = new Candidates(rules.stream().filter(r -> r.resources.hasWildcard()).toList(), true);
    }

    Candidates candidates(String resource) {
        Candidates c = byResource.get(resource);
        return c != null ? c : otherResources;
    }
}
