package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Helpers for the ledger tests that {@link LedgerFixtures} (owned elsewhere) does not have:
 * replayable seeds, a deterministic CA on a virtual clock, and a way to take a refusal out of a
 * future.
 */
final class LedgerTestSupport {
    /** Virtual time at which the deterministic CA is created. */
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final HexFormat HEX = HexFormat.of();

    private LedgerTestSupport() {}

    /**
     * The seed of a randomized test: {@code -Dledger.seed=N} to replay, else a fresh one. It is
     * printed, and tests put it in their assertion descriptions, so any failure names it.
     */
    static long seed(String test) {
        Long fixed = Long.getLong("ledger.seed");
        long seed = fixed != null ? fixed : new SecureRandom().nextLong();
        System.out.println("[ledger] " + test + " seed=" + seed + " (replay with -Dledger.seed=" + seed + ")");
        return seed;
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(LedgerTestSupport::hex).toList();
    }

    /** A CA for {@link LedgerFixtures#DOMAIN} whose keys all come from {@code seed}, created at {@link #T0}. */
    static CertificateAuthority deterministicCa(Path dir, String seed) {
        return CertificateAuthority.init(dir, LedgerFixtures.DOMAIN, T0, new SeededRandom("ca/" + seed));
    }

    /** A CA for another trust domain (or the same one, with other keys). */
    static CertificateAuthority deterministicCa(Path dir, String domain, String seed) {
        return CertificateAuthority.init(dir, domain, T0, new SeededRandom("ca/" + seed));
    }

    /** A node valid from {@code T0 - 1 min} to {@code T0 + 1 day}. */
    static NodeCredentials deterministicNode(CertificateAuthority ca, String name) {
        return ca.issueNode(name, Duration.ofDays(1), T0, new SeededRandom("node/" + ca.trustDomain() + "/" + name));
    }

    /** The {@link LedgerException} a future failed with; fails the test if it completed normally or failed otherwise. */
    static LedgerException refusal(CompletableFuture<?> future) {
        try {
            Object value = future.get(30, TimeUnit.SECONDS);
            return fail("expected a refusal, but the append completed with " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).as("failure of the future").isInstanceOf(LedgerException.class);
            return (LedgerException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the future neither completed nor failed within 30 s", e);
        }
    }

    /** Waits (without sleeping) for a future that must succeed. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the future did not complete within 30 s", e);
        }
    }
}
