package io.x0tta6bl4.policy;

import io.x0tta6bl4.policy.YamlTree.Field;
import io.x0tta6bl4.policy.YamlTree.Mapping;
import io.x0tta6bl4.policy.YamlTree.Node;
import io.x0tta6bl4.policy.YamlTree.Scalar;
import io.x0tta6bl4.policy.YamlTree.Sequence;
import io.x0tta6bl4.policy.YamlTree.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a policy document into compiled rules, strictly: an unknown field, a missing one, a value
 * of the wrong type or out of range, a repeated rule id or key, an empty principal list, a bad
 * pattern, window, instant, address range or rate are each a problem naming the line and the
 * field; all are collected and nothing is returned unless there are none. The format is in
 * docs/policy.md.
 */
final class PolicyParser {
    static final int MAX_ID_LENGTH = 64;

    private static final String[] TOP_FIELDS = {"version", "rules"};
    private static final String[] RULE_FIELDS = {"id", "effect", "principals", "resources", "actions", "conditions"};
    private static final String[] CONDITION_FIELDS = {"hours_utc", "not_before", "not_after", "source", "rate_limit"};

    record Parsed(long version, List<CompiledRule> rules) {}

    /** One string of a list, with where it was written. */
    private record Item(String text, int line, String path) {}

    private final Problems problems;

    private PolicyParser(Problems problems) {
        this.problems = problems;
    }

    static Parsed parse(String text, String source) {
        Problems problems = new Problems(source);
        Node root = YamlTree.read(text, problems);
        if (root == null) {
            throw problems.exception();
        }
        if (!(root instanceof Mapping top)) {
            problems.add(root.line(), "", "a policy must be a mapping with version: and rules: (see docs/policy.md)");
            throw problems.exception();
        }
        PolicyParser p = new PolicyParser(problems);
        p.only(top, "", TOP_FIELDS);
        long version = p.version(top);
        List<CompiledRule> rules = p.rules(top);
        if (!problems.isEmpty()) {
            throw problems.exception();
        }
        return new Parsed(version, rules);
    }

    private long version(Mapping top) {
        Scalar v = scalar(top, "", "version", true);
        if (v == null) {
            return 0;
        }
        String t = v.text();
        boolean digits = !t.isEmpty() && t.length() <= 18 && t.chars().allMatch(c -> c >= '0' && c <= '9') && t.charAt(0) != '0';
        if (v.type() != Type.INTEGER || !digits) {
            problems.add(v.line(), "version", "must be a positive whole number, got " + v.shown()
                    + (v.type() == Type.INTEGER ? "" : " (" + v.kind() + ")"));
            return 0;
        }
        return Long.parseLong(t);
    }

    private List<CompiledRule> rules(Mapping top) {
        Field f = top.field("rules");
        if (f == null) {
            problems.add(top.line(), "", "field \"rules\" is missing; write rules: [] for a policy that denies everything");
            return List.of();
        }
        if (!(f.value() instanceof Sequence list)) {
            reportShape(f, "rules", "must be a list of rules (each starting with '- id: ...')");
            return List.of();
        }
        List<CompiledRule> rules = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            String path = "rules[" + i + "]";
            Node item = list.items().get(i);
            if (!(item instanceof Mapping m)) {
                if (!(item instanceof Scalar s && s.type() == Type.REPORTED)) {
                    problems.add(item.line(), path, "must be a mapping with id, effect, principals, resources and actions");
                }
                continue;
            }
            CompiledRule rule = rule(m, path, i, ids);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private CompiledRule rule(Mapping m, String path, int order, Map<String, String> ids) {
        int before = problems.count();
        only(m, path, RULE_FIELDS);
        String id = string(m, path, "id");
        if (id != null) {
            String idPath = Problems.join(path, "id");
            int line = m.field("id").value().line();
            String wrong = checkId(id);
            if (wrong != null) {
                problems.add(line, idPath, wrong);
            } else if (ids.containsKey(id)) {
                problems.add(line, idPath, "\"" + id + "\" is already the id of " + ids.get(id) + "; rule ids must be unique");
            } else {
                ids.put(id, path + " (line " + line + ")");
            }
        }
        Effect effect = effect(m, path);
        List<Item> principals = strings(m, path, "principals", "principal", Principals::check);
        List<Item> resources = strings(m, path, "resources", "resource", n -> NameSet.check(n, "resource"));
        List<Item> actions = strings(m, path, "actions", "action", n -> NameSet.check(n, "action"));
        ConditionsParse conditions = conditions(m, path, effect);
        if (problems.count() != before) {
            return null;
        }
        Rule view = new Rule(id, effect, texts(principals), texts(resources), texts(actions), conditions.view);
        return new CompiledRule(view, order, Principals.compile(view.principals()), NameSet.compile(view.resources()),
                NameSet.compile(view.actions()), conditions.window, conditions.notBefore, conditions.notAfter,
                conditions.sources, conditions.rate);
    }

    private static String checkId(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return "\"" + id + "\" is " + id.length() + " characters; the limit is " + MAX_ID_LENGTH;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                return "\"" + id + "\" has '" + c + "'; a rule id is made of a-z, A-Z, 0-9, '.', '_' and '-'";
            }
        }
        if (id.equals(Decision.DEFAULT_DENY)) {
            return "\"" + Decision.DEFAULT_DENY + "\" is reserved for decisions no rule made; choose another id";
        }
        return null;
    }

    private Effect effect(Mapping m, String path) {
        String word = string(m, path, "effect");
        if (word == null) {
            return null;
        }
        for (Effect e : Effect.values()) {
            if (e.word().equals(word)) {
                return e;
            }
        }
        problems.add(m.field("effect").value().line(), Problems.join(path, "effect"), "\"" + word + "\" is not one of allow, deny");
        return null;
    }

    /** The parsed conditions of one rule; the compiled parts are null where a condition is absent. */
    private record ConditionsParse(Conditions view, DailyWindow window, Instant notBefore, Instant notAfter, AddressRanges sources,
            Rate rate) {}

    private ConditionsParse conditions(Mapping rule, String rulePath, Effect effect) {
        ConditionsParse none = new ConditionsParse(Conditions.NONE, null, null, null, null, null);
        Field f = rule.field("conditions");
        if (f == null) {
            return none;
        }
        String path = Problems.join(rulePath, "conditions");
        if (!(f.value() instanceof Mapping m)) {
            reportShape(f, path, "must be a mapping of conditions (hours_utc, not_before, not_after, source, rate_limit); leave it out for none");
            return none;
        }
        only(m, path, CONDITION_FIELDS);
        String hours = optionalString(m, path, "hours_utc");
        DailyWindow window = hours == null ? null : parsed(m, path, "hours_utc", DailyWindow::parse);
        String nbText = optionalString(m, path, "not_before");
        Instant notBefore = nbText == null ? null : parsed(m, path, "not_before", PolicyParser::instant);
        String naText = optionalString(m, path, "not_after");
        Instant notAfter = naText == null ? null : parsed(m, path, "not_after", PolicyParser::instant);
        if (notBefore != null && notAfter != null && notAfter.isBefore(notBefore)) {
            problems.add(m.field("not_after").value().line(), Problems.join(path, "not_after"),
                    "\"" + naText + "\" is before not_before \"" + nbText + "\"; the rule could never apply");
        }
        List<Item> source = m.field("source") == null ? List.of() : strings(m, path, "source", "address range", AddressRanges::check);
        if (source == null) {
            source = List.of();
        }
        String rateText = optionalString(m, path, "rate_limit");
        Rate rate = null;
        if (rateText != null) {
            if (effect == Effect.DENY) {
                problems.add(m.field("rate_limit").value().line(), Problems.join(path, "rate_limit"),
                        "only allow rules take a rate limit; a deny rule refuses every request it matches");
            } else {
                rate = parsed(m, path, "rate_limit", Rate::parse);
            }
        }
        Conditions view = new Conditions(hours, nbText, naText, texts(source), rateText);
        return new ConditionsParse(view, window, notBefore, notAfter, source.isEmpty() ? null : AddressRanges.compile(view.source()), rate);
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an instant; write one in ISO-8601 UTC, e.g. 2026-01-01T00:00:00Z");
        }
    }

    /** Applies {@code parser} to a string field known to be present; null (with a problem) when it throws. */
    private <T> T parsed(Mapping m, String path, String name, Function<String, T> parser) {
        Field f = m.field(name);
        try {
            return parser.apply(((Scalar) f.value()).text());
        } catch (IllegalArgumentException e) {
            problems.add(f.value().line(), Problems.join(path, name), e.getMessage());
            return null;
        }
    }

    private void only(Mapping m, String path, String... allowed) {
        for (Field f : m.fields().values()) {
            if (!List.of(allowed).contains(f.name())) {
                problems.add(f.line(), Problems.join(path, f.name()), "unknown field; allowed here: " + String.join(", ", allowed));
            }
        }
    }

    /** The scalar value of a field, or null: missing (a problem when {@code required}), or not a scalar (a problem). */
    private Scalar scalar(Mapping m, String path, String name, boolean required) {
        Field f = m.field(name);
        if (f == null) {
            if (required) {
                problems.add(m.line(), path, "field \"" + name + "\" is missing");
            }
            return null;
        }
        if (!(f.value() instanceof Scalar s)) {
            reportShape(f, Problems.join(path, name), "must be a single value, not a " + (f.value() instanceof Sequence ? "list" : "mapping"));
            return null;
        }
        if (s.type() == Type.REPORTED) {
            return null;
        }
        return s;
    }

    private String string(Mapping m, String path, String name) {
        return string(scalar(m, path, name, true), Problems.join(path, name));
    }

    private String optionalString(Mapping m, String path, String name) {
        return string(scalar(m, path, name, false), Problems.join(path, name));
    }

    private String string(Scalar s, String path) {
        if (s == null || s.type() == Type.REPORTED) {
            return null;
        }
        if (s.type() != Type.STRING || s.text().isEmpty()) {
            problems.add(s.line(), path, "must be a non-empty string, got " + (s.text().isEmpty() ? "nothing" : s.shown() + " (" + s.kind() + ")"));
            return null;
        }
        return s.text();
    }

    /**
     * A required, non-empty list of strings, each checked by {@code check} (null when fine, else
     * the problem). Null when the field has any problem.
     */
    private List<Item> strings(Mapping m, String path, String name, String what, Function<String, String> check) {
        String fieldPath = Problems.join(path, name);
        Field f = m.field(name);
        if (f == null) {
            problems.add(m.line(), path, "field \"" + name + "\" is missing");
            return null;
        }
        if (!(f.value() instanceof Sequence list)) {
            reportShape(f, fieldPath, "must be a list, e.g. [" + example(name) + "]");
            return null;
        }
        if (list.items().isEmpty()) {
            problems.add(f.line(), fieldPath, "must list at least one " + what + " (a rule that matches nothing is a mistake; delete it instead)");
            return null;
        }
        int before = problems.count();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            String itemPath = fieldPath + "[" + i + "]";
            Node n = list.items().get(i);
            String text = n instanceof Scalar s ? string(s, itemPath) : null;
            if (!(n instanceof Scalar)) {
                problems.add(n.line(), itemPath, "must be a " + what + " string, not a " + (n instanceof Sequence ? "list" : "mapping"));
            }
            if (text != null) {
                String wrong = check.apply(text);
                if (wrong != null) {
                    problems.add(n.line(), itemPath, wrong);
                } else {
                    items.add(new Item(text, n.line(), itemPath));
                }
            }
        }
        return problems.count() == before ? items : null;
    }

    private static String example(String field) {
        return switch (field) {
            case "principals" -> "\"spiffe://example.org/app/*\"";
            case "resources" -> "network, nodes";
            case "actions" -> "read";
            default -> "\"10.0.0.0/8\"";
        };
    }

    private void reportShape(Field f, String path, String message) {
        if (f.value() instanceof Scalar s && s.type() == Type.REPORTED) {
            return;
        }
        String got = f.value() instanceof Scalar s ? ", got " + (s.text().isEmpty() || s.type() == Type.NULL ? "nothing" : s.shown()) : "";
        problems.add(f.line(), path, message + got);
    }

    private static List<String> texts(List<Item> items) {
        return items == null ? List.of() : items.stream().map(Item::text).toList();
    }
}
