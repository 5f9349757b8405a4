package io.x0tta6bl4.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.ledger.Checkpoint;
import io.x0tta6bl4.ledger.Cosignature;
import io.x0tta6bl4.ledger.InclusionProof;
import io.x0tta6bl4.ledger.LedgerEntry;
import java.util.HexFormat;

/**
 * The JSON shape of ledger entries, inclusion proofs and checkpoints, shared by the API and the
 * {@code ledger} command so that both show the same thing. Hashes and signatures are lowercase hex.
 */
public final class LedgerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private LedgerJson() {}

    public static ObjectNode entry(LedgerEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", e.seq());
        n.put("timestamp", e.timestamp().toString());
        n.put("type", e.type().name());
        n.put("actor", e.submission().actor().toString());
        n.put("action", e.submission().action());
        n.put("resource", e.submission().resource());
        n.put("status", e.submission().status());
        try {
            n.set("payload", JSON.readTree(e.submission().payload()));
        } catch (JsonProcessingException ex) {
            n.put("payload", e.submission().payload()); // not JSON: shown as the text it is
        }
        n.put("submitter", e.submitter());
        n.put("batch", e.batch());
        return n;
    }

    public static ObjectNode proof(InclusionProof p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", p.seq());
        n.put("tree_size", p.head().size());
        n.put("root", p.head().rootHex());
        n.put("leaf_hash", HEX.formatHex(p.leafHash()));
        ArrayNode path = n.putArray("path");
        p.path().forEach(h -> path.add(HEX.formatHex(h)));
        n.put("verified", p.verify());
        return n;
    }

    public static ObjectNode checkpoint(Checkpoint c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tree_size", c.head().size());
        n.put("root", c.head().rootHex());
        ArrayNode sigs = n.putArray("cosignatures");
        for (Cosignature s : c.cosignatures()) {
            sigs.addObject().put("signer", s.signer()).put("signature", HEX.formatHex(s.signature()));
        }
        return n;
    }
}
