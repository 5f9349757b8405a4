package io.x0tta6bl4.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.PeerKeys;
import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a party needs to trust a trust domain, and nothing secret: the EC P-256 root that signs
 * X.509-SVIDs, the ML-DSA-65 root that signs PQ identity documents, and the ML-DSA-65 keys that
 * sign JWT-SVIDs, by key id. Verifying against the bundle is the only way into the mesh.
 *
 * <p>The roots vouch for a node either directly or through one host agent
 * ({@link NodeIssuer}): an X.509-SVID may come with the host's intermediate CA, and an identity
 * document (version 2) with the host's root-signed issuer document. Either way the chain ends at
 * the roots held here, so a bundle {@linkplain #export exported} once verifies every node of
 * every host, and nothing a host holds can widen it: an intermediate vouches only for nodes and
 * hosts, never for an application or an operator.
 */
public final class TrustBundle {
    /** The {@code kind} that {@code ca.json} of an exported bundle carries; a CA's own {@code ca.json} has none. */
    static final String BUNDLE_KIND = "trust-bundle";
    private final String trustDomain;
    private final X509Certificate x509Root;
    private final X509Certificate pqRoot;
    private final MlDsaPublicKey pqRootKey;
    private final Map<String, MlDsaPublicKey> jwtAuthorities;

    TrustBundle(String trustDomain, X509Certificate x509Root, X509Certificate pqRoot, Map<String, MlDsaPublicKey> jwtAuthorities) {
        this.trustDomain = SpiffeId.checkTrustDomain(trustDomain);
        this.x509Root = x509Root;
        this.pqRoot = pqRoot;
        this.pqRootKey = MlDsaPublicKey.decode(pqRoot.getPublicKey().getEncoded());
        this.jwtAuthorities = Map.copyOf(jwtAuthorities);
    }

    /**
     * A bundle from its parts, e.g. as another component stored them. {@code pqRoot} must be an
     * ML-DSA-65 certificate.
     */
    public static TrustBundle of(String trustDomain, X509Certificate x509Root, X509Certificate pqRoot, Map<String, MlDsaPublicKey> jwtAuthorities) {
        return new TrustBundle(trustDomain, x509Root, pqRoot, jwtAuthorities);
    }

    /** Parses a DER certificate, e.g. one stored by the ledger. */
    public static X509Certificate certificate(byte[] der) {
        try {
            return X509.parse(der);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** Reads the public half of a CA directory written by {@code ca init}, or a directory written by {@link #export}. */
    public static TrustBundle load(Path caDir) {
        String hint = "is " + caDir + " a CA directory? Create one with: x0tta6bl4 ca init --dir " + caDir + " --trust-domain DOMAIN";
        Path meta = caDir.resolve(CertificateAuthority.META);
        JsonNode n;
        try {
            n = Json.parseObject(meta.toString(), CredentialFiles.read(meta, hint));
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(meta, e.getMessage());
        }
        String domain;
        String kid;
        try {
            domain = SpiffeId.checkTrustDomain(Json.text(meta.toString(), n, "trust_domain"));
            kid = Json.text(meta.toString(), n, "jwt_kid");
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(meta, e.getMessage());
        }
        X509Certificate root = single(caDir.resolve(CertificateAuthority.ROOT_CERT), hint);
        X509Certificate pq = single(caDir.resolve(CertificateAuthority.PQ_ROOT_CERT), hint);
        Path jwtFile = caDir.resolve(CertificateAuthority.JWT_PUBLIC);
        MlDsaPublicKey jwt;
        try {
            jwt = MlDsaPublicKey.decode(Pem.decode(jwtFile, CredentialFiles.read(jwtFile, hint), Pem.PUBLIC_KEY));
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(jwtFile, e.getMessage());
        }
        try {
            return new TrustBundle(domain, root, pq, Map.of(kid, jwt));
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(caDir.resolve(CertificateAuthority.PQ_ROOT_CERT), "is not an ML-DSA-65 certificate: " + e.getMessage());
        }
    }

    /**
     * Writes the public half of this bundle into {@code dir} (new or empty), under the names
     * {@link #load} reads: {@code ca.json} (trust domain and JWT key id, marked as a bundle),
     * {@code root.crt}, {@code root-mldsa.crt}, {@code jwt.pub}. No private key is written, so the
     * directory can be handed to every host and node; they load their bundle from it instead of
     * from the CA directory.
     *
     * @throws IllegalStateException if the bundle does not hold exactly one JWT-SVID key (a bundle
     *                               directory has one {@code jwt.pub})
     */
    public void export(Path dir) {
        if (jwtAuthorities.size() != 1) {
            throw new IllegalStateException("the bundle of " + trustDomain + " holds " + jwtAuthorities.size()
                    + " JWT-SVID keys; a bundle directory holds exactly one (jwt.pub); export a bundle loaded from the CA directory");
        }
        var jwt = jwtAuthorities.entrySet().iterator().next();
        CredentialFiles.requireNewOrEmpty(dir, "export the bundle into a new directory");
        CredentialFiles.createDirectory(dir);
        CredentialFiles.writePublic(dir.resolve(CertificateAuthority.ROOT_CERT), X509.pem(x509Root));
        CredentialFiles.writePublic(dir.resolve(CertificateAuthority.PQ_ROOT_CERT), X509.pem(pqRoot));
        CredentialFiles.writePublic(dir.resolve(CertificateAuthority.JWT_PUBLIC), Pem.encode(Pem.PUBLIC_KEY, jwt.getValue().encoded()));
        com.fasterxml.jackson.databind.node.ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.put("format", 1);
        meta.put("kind", BUNDLE_KIND);
        meta.put("trust_domain", trustDomain);
        meta.put("jwt_kid", jwt.getKey());
        // Written last, as by ca init: its presence means the directory is complete.
        CredentialFiles.writePublic(dir.resolve(CertificateAuthority.META), meta.toPrettyString() + "\n");
    }

    /** Two bundles are equal when they trust the same roots and JWT-SVID keys for the same trust domain. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TrustBundle b && trustDomain.equals(b.trustDomain) && x509Root.equals(b.x509Root) && pqRoot.equals(b.pqRoot)
                && jwtAuthorities.equals(b.jwtAuthorities);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(trustDomain, x509Root, pqRoot, jwtAuthorities);
    }

    @Override
    public String toString() {
        return "TrustBundle[" + trustDomain + ", JWT-SVID keys " + new java.util.TreeSet<>(jwtAuthorities.keySet()) + "]";
    }

    private static X509Certificate single(Path file, String hint) {
        return X509.readChain(file, CredentialFiles.read(file, hint)).getFirst();
    }

    public String trustDomain() {
        return trustDomain;
    }

    public X509Certificate x509Root() {
        return x509Root;
    }

    public X509Certificate pqRoot() {
        return pqRoot;
    }

    /** PEM of the X.509 root: what a TLS client (curl --cacert) needs. */
    public String x509RootPem() {
        return X509.pem(x509Root);
    }

    /** The ML-DSA-65 root's public key, which signs identity documents. */
    public MlDsaPublicKey pqRootKey() {
        return pqRootKey;
    }

    Optional<MlDsaPublicKey> jwtAuthority(String kid) {
        return Optional.ofNullable(jwtAuthorities.get(kid));
    }

    /**
     * Verifies an X.509-SVID chain (leaf first; the root may be omitted) at {@code at}: PKIX path
     * validation to the bundle's root, through at most one intermediate CA (a host agent's, as
     * {@link CertificateAuthority#issueIssuer} makes), then the SPIFFE X.509-SVID rules for the
     * leaf: not a CA, digitalSignature set, keyCertSign and cRLSign not set, exactly one URI SAN,
     * which is a SPIFFE ID of this trust domain. A leaf under an intermediate must moreover be a
     * node's or a host's ({@code /node/NAME}, {@code /host/NAME}): host agents enrol nodes, and
     * only the root vouches for anything else (operators' and applications' IDs).
     *
     * @return the leaf's SPIFFE ID
     */
    public SpiffeId verifySvid(List<X509Certificate> chain, Instant at) throws IdentityVerificationException {
        if (chain.isEmpty()) {
            throw new IdentityVerificationException("no certificate presented");
        }
        List<X509Certificate> path = chain.stream().filter(c -> !c.equals(x509Root)).toList();
        if (path.isEmpty()) {
            throw new IdentityVerificationException("the trust domain's root certificate is not an X.509-SVID");
        }
        X509Path.validate(x509Root, trustDomain, path, at);
        X509Certificate leaf = path.getFirst();
        if (leaf.getBasicConstraints() != -1) {
            throw new IdentityVerificationException("an X.509-SVID leaf must not be a CA certificate");
        }
        boolean[] ku = leaf.getKeyUsage();
        if (ku == null || !ku[0]) {
            throw new IdentityVerificationException("an X.509-SVID leaf must have the digitalSignature key usage");
        }
        if (ku.length > 6 && (ku[5] || ku[6])) {
            throw new IdentityVerificationException("an X.509-SVID leaf must not have keyCertSign or cRLSign");
        }
        SpiffeId id = uriSan(leaf);
        if (!id.memberOf(trustDomain)) {
            throw new IdentityVerificationException(id + " is not in trust domain " + trustDomain);
        }
        if (path.size() > 1 && !isNodeOrHost(id)) {
            throw new IdentityVerificationException(id + " is issued by a host's intermediate CA, which may vouch only for spiffe://"
                    + trustDomain + "/node/NAME and spiffe://" + trustDomain + "/host/NAME; only the root issues other IDs");
        }
        return id;
    }

    private static boolean isNodeOrHost(SpiffeId id) {
        return id.path().matches("/(node|host)/[^/]+");
    }

    /** The single URI SAN of an X.509-SVID, parsed as a SPIFFE ID. */
    static SpiffeId uriSan(X509Certificate cert) throws IdentityVerificationException {
        List<String> uris;
        try {
            uris = SvidTls.uriSans(cert);
        } catch (CertificateException e) {
            throw new IdentityVerificationException("subject alternative names do not parse: " + e.getMessage());
        }
        if (uris.size() != 1) {
            throw new IdentityVerificationException("an X.509-SVID must have exactly one URI SAN, found " + uris.size());
        }
        try {
            return SpiffeId.parse(uris.getFirst());
        } catch (InvalidSpiffeIdException e) {
            throw new IdentityVerificationException("URI SAN is not a SPIFFE ID: " + e.getMessage());
        }
    }

    /**
     * Verifies a PQ identity document at {@code at}, for a SPIFFE ID of this trust domain.
     *
     * <p>Version 1: signed by the bundle's ML-DSA-65 root, and valid at {@code at}.
     *
     * <p>Version 2, in this order, each refusal with its own message: the issuer the document
     * names (ID and key digest, signed) is the one whose issuer document it carries; that issuer
     * is a host of this trust domain ({@code /host/NAME}); its document is signed by the ML-DSA-65
     * root and valid at {@code at}; the node's document is for a node ({@code /node/NAME}: hosts
     * enrol nodes, nothing else), is signed by the issuer's key and is valid at {@code at}.
     */
    public PeerKeys verifyIdentity(PqIdentityDocument doc, Instant at) throws IdentityVerificationException {
        SpiffeId id = doc.spiffeId();
        if (!id.memberOf(trustDomain)) {
            throw new IdentityVerificationException(id + " is not in trust domain " + trustDomain);
        }
        if (doc.issuer().isEmpty()) {
            if (!pqRootKey.verify(doc.toBeSigned(), doc.signature())) {
                throw new IdentityVerificationException("identity document of " + id + " is not signed by the " + trustDomain + " ML-DSA-65 root");
            }
        } else {
            PqIdentityDocument.Issuer issuer = doc.issuer().get();
            PqIssuerDocument carried = issuer.document();
            if (!issuer.id().equals(carried.spiffeId()) || !MessageDigest.isEqual(issuer.keySha3_256(), carried.keySha3_256())) {
                throw new IdentityVerificationException("identity document of " + id + " names issuer " + issuer.id() + " (ML-DSA-65 key sha3-256 "
                        + Hex.encode(issuer.keySha3_256()).substring(0, 16) + "…) but carries the issuer document of " + carried.spiffeId()
                        + " (key " + Hex.encode(carried.keySha3_256()).substring(0, 16) + "…): the issuer binding does not match");
            }
            verifyIssuer(carried, at);
            if (!id.path().startsWith("/node/")) {
                throw new IdentityVerificationException("identity document of " + id + " is signed by issuer " + issuer.id()
                        + ", and a host's issuer may vouch only for nodes (spiffe://" + trustDomain + "/node/NAME)");
            }
            if (!carried.signingKey().verify(doc.toBeSigned(), doc.signature())) {
                throw new IdentityVerificationException("identity document of " + id + " is not signed by its issuer " + issuer.id());
            }
        }
        if (at.isBefore(doc.notBefore()) || at.isAfter(doc.notAfter())) {
            throw new IdentityVerificationException("identity document of " + id + " is valid from " + doc.notBefore()
                    + " to " + doc.notAfter() + ", not at " + at);
        }
        return doc.peerKeys();
    }

    /**
     * Verifies a host's issuer document at {@code at}: for a host of this trust domain
     * ({@code /host/NAME}), signed by the ML-DSA-65 root, valid at {@code at}.
     */
    void verifyIssuer(PqIssuerDocument issuer, Instant at) throws IdentityVerificationException {
        SpiffeId id = issuer.spiffeId();
        if (!PqIssuerDocument.isHost(id, trustDomain)) {
            throw new IdentityVerificationException("issuer " + id + " is not a host of trust domain " + trustDomain
                    + "; issuers are spiffe://" + trustDomain + "/host/NAME");
        }
        if (!pqRootKey.verify(issuer.toBeSigned(), issuer.signature())) {
            throw new IdentityVerificationException("issuer document of " + id + " is not signed by the " + trustDomain + " ML-DSA-65 root");
        }
        if (at.isBefore(issuer.notBefore()) || at.isAfter(issuer.notAfter())) {
            throw new IdentityVerificationException("issuer document of " + id + " is valid from " + issuer.notBefore() + " to "
                    + issuer.notAfter() + ", not at " + at);
        }
    }

    /**
     * Verifies a document and that it belongs to {@code svid}: same SPIFFE ID and the SVID's
     * SHA-256 fingerprint. This ties the post-quantum keys to the TLS peer.
     */
    public PeerKeys verifyIdentity(PqIdentityDocument doc, X509Certificate svid, Instant at) throws IdentityVerificationException {
        PeerKeys keys = verifyIdentity(doc, at);
        if (!MessageDigest.isEqual(fingerprint(svid), doc.svidSha256())) {
            throw new IdentityVerificationException("identity document of " + doc.spiffeId() + " is bound to another X.509-SVID");
        }
        if (!uriSan(svid).equals(doc.spiffeId())) {
            throw new IdentityVerificationException("X.509-SVID and identity document name different SPIFFE IDs");
        }
        return keys;
    }

    static byte[] fingerprint(X509Certificate cert) {
        try {
            return Digests.sha256(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
