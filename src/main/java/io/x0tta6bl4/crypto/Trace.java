package io.x0tta6bl4.crypto;

/**
 * Told after each step of sealing or opening an envelope, so a caller (the demo) can time the
 * steps without this package reading any clock.
 */
@FunctionalInterface
public interface Trace {
    Trace NONE = step -> {};

    void step(String completed);
}
