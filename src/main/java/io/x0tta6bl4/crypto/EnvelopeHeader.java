package io.x0tta6bl4.crypto;

import java.time.Instant;

/**
 * The authenticated, unencrypted part of an envelope. It is the AES-GCM associated data, it is
 * bound into the HKDF info, and the signature covers it, so none of it can be changed in transit.
 */
public record EnvelopeHeader(int version, Suite suite, String sender, String recipient, MessageId messageId,
                             Instant timestamp, String contentType) {}
