package io.x0tta6bl4.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.PqIdentityDocument;
import io.x0tta6bl4.identity.SpiffeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A voter's ballot on one proposal. Signed by the voter (Governor's {@code castVoteBySig}): the
 * ML-DSA-65 signature covers {@link #toBeSigned()}, a domain-separated encoding bound to the
 * proposal id and the voter, so a signature made for one proposal, one voter or another purpose
 * is worth nothing here. Anyone may relay a signed vote; the fold checks it against the identity
 * document it carries, which the trust bundle's root (or a host's issuer) signed.
 *
 * @param weight a whole number ≥ 1; the vote costs weight² credits
 */
public record Vote(String proposal, SpiffeId voter, Choice choice, int weight, String rationale) {
    /** Domain-separation label: the first bytes of every signed vote. */
    public static final String LABEL = "x0tta6bl4 governance vote v1";
    public static final int MAX_RATIONALE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    public Vote {
        if (proposal == null || proposal.isBlank()) {
            throw new IllegalArgumentException("proposal: missing");
        }
        if (voter == null) {
            throw new IllegalArgumentException("voter: missing");
        }
        if (choice == null) {
            throw new IllegalArgumentException("choice: missing; one of YES, NO, ABSTAIN");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight: " + weight + " is not a whole number of at least 1");
        }
        rationale = rationale == null ? "" : rationale;
        if (rationale.length() > MAX_RATIONALE) {
            throw new IllegalArgumentException("rationale: " + rationale.length() + " characters; at most " + MAX_RATIONALE);
        }
        if (rationale.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
            throw new IllegalArgumentException("rationale: contains control characters");
        }
    }

    /** The bytes a voter signs: the label, then each field as a 4-byte length and its UTF-8 bytes, then the weight. */
    public byte[] toBeSigned() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        field(out, LABEL);
        field(out, proposal);
        field(out, voter.toString());
        field(out, choice.name());
        int32(out, weight);
        field(out, rationale);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(out, b.length);
        out.writeBytes(b);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** This ballot signed by {@code voter}, whose credentials hold its key and its identity document. */
    public Signed sign(NodeCredentials voter, SecureRandom random) {
        return sign(voter.keys().signing(), voter.identity(), random);
    }

    /** This ballot signed with the voter's key; {@code identity} is the voter's document, carried with it. */
    public Signed sign(MlDsaPrivateKey key, PqIdentityDocument identity, SecureRandom random) {
        return new Signed(this, key.sign(toBeSigned(), random), identity);
    }

    /** A ballot, its signature, and the voter's identity document that vouches for the key. */
    public record Signed(Vote vote, byte[] signature, PqIdentityDocument identity) {
        public Signed {
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        /** The JSON a client sends and a VOTE entry carries. */
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("proposal", vote.proposal()).put("voter", vote.voter().toString()).put("choice", vote.choice().name())
                    .put("weight", vote.weight()).put("rationale", vote.rationale())
                    .put("signature", Base64.getEncoder().encodeToString(signature));
            try {
                n.set("identity", JSON.readTree(identity.toJson()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return n;
        }

        /** The body of {@code POST /api/proposals/{id}/votes}: {@link #toJson} without the proposal, which the path names. */
        public ObjectNode toRequestJson() {
            ObjectNode n = toJson();
            n.remove("proposal");
            return n;
        }

        /**
         * Reads a signed vote, strictly: every field present and of its type; an
         * {@link IllegalArgumentException} names the first field that is wrong. Does not verify
         * the signature ({@link VoteCheck} does).
         */
        public static Signed fromJson(JsonNode n) {
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("vote: must be a JSON object");
            }
            String proposal = text(n, "proposal");
            SpiffeId voter;
            try {
                voter = SpiffeId.parse(text(n, "voter"));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("voter: " + e.getMessage());
            }
            Choice choice = Choice.parse(text(n, "choice"))
                    .orElseThrow(() -> new IllegalArgumentException("choice: '" + n.get("choice").asText() + "' is not YES, NO or ABSTAIN"));
            JsonNode w = n.get("weight");
            if (w == null || w.isNull()) {
                throw new IllegalArgumentException("weight: missing");
            }
            if (!w.isIntegralNumber() || !w.canConvertToInt()) {
                throw new IllegalArgumentException("weight: " + (w.isTextual() ? "'" + w.asText() + "'" : w.toString())
                        + " is not a whole number; send e.g. 3");
            }
            int weight = w.intValue();
            if (weight < 1) {
                throw new IllegalArgumentException("weight: " + weight + " is not a whole number of at least 1");
            }
            JsonNode r = n.get("rationale");
            if (r != null && !r.isTextual() && !r.isNull()) {
                throw new IllegalArgumentException("rationale: must be text");
            }
            byte[] signature;
            try {
                signature = Base64.getDecoder().decode(text(n, "signature"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("signature: not base64 (" + e.getMessage() + ")");
            }
            JsonNode id = n.get("identity");
            if (id == null || !id.isObject()) {
                throw new IllegalArgumentException("identity: missing; the voter's identity document (identity.json) as an object");
            }
            PqIdentityDocument doc;
            try {
                doc = PqIdentityDocument.fromJson("identity", id.toString());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("identity: " + e.getMessage());
            }
            Vote vote = new Vote(proposal, voter, choice, weight, r == null || r.isNull() ? "" : r.asText());
            return new Signed(vote, signature, doc);
        }

        private static String text(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(field + ": missing");
            }
            if (!v.isTextual()) {
                throw new IllegalArgumentException(field + ": must be text");
            }
            return v.asText();
        }
    }
}
