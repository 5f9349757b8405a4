package io.x0tta6bl4.policy;

import java.util.List;
import java.util.Objects;

/**
 * One rule of a loaded {@link Policy}, as its document wrote it: a read-only view for serving
 * ({@code GET /api/policy}) and display. Jackson writes it as JSON with the document's field
 * names. The compiled form that decisions use is not public.
 *
 * @param id         unique within the policy; named by every {@link Decision} the rule makes
 * @param effect     allow or deny
 * @param principals SPIFFE ID patterns (docs/policy.md, "Principals")
 * @param resources  resource names or patterns
 * @param actions    action names or patterns
 * @param conditions {@link Conditions#NONE} when the rule has none
 */
public record Rule(String id, Effect effect, List<String> principals, List<String> resources, List<String> actions, Conditions conditions) {
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(effect, "effect");
        principals = List.copyOf(principals);
        resources = List.copyOf(resources);
        actions = List.copyOf(actions);
        Objects.requireNonNull(conditions, "conditions");
    }
}
