package io.x0tta6bl4.policy;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a rule does to the requests it matches. Written in lower case in a policy document. */
public enum Effect {
    ALLOW("allow"),
    DENY("deny");

    private final String word;

    Effect(String word) {
        this.word = word;
    }

    /** The word a document uses, {@code allow} or {@code deny}; also the JSON form. */
    @JsonValue
    public String word() {
        return word;
    }

    @Override
    public String toString() {
        return word;
    }
}
