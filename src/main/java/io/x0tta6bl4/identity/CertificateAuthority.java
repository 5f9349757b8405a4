package io.x0tta6bl4.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The trust domain's certificate authority, kept in one directory:
 *
 * <pre>
 *   ca.json           trust domain and JWT key id
 *   root.crt          EC P-256 root (signs X.509-SVIDs; what TLS clients trust)
 *   root.key          its private key, mode 0600
 *   root-mldsa.crt    ML-DSA-65 root (signs PQ identity documents), self-signed
 *   root-mldsa.key    its private key, mode 0600
 *   jwt.pub           ML-DSA-65 key that signs JWT-SVIDs
 *   jwt.key           its private key, mode 0600
 *   nodes/NAME/       one enrolled node (see {@link NodeCredentials})
 * </pre>
 *
 * The roots sign three kinds of things: nodes' credentials directly ({@link #issueNode}), a
 * host agent's intermediate issuing credentials ({@link #issueIssuer}), with which the host
 * enrols the nodes it starts ({@link NodeIssuer}) while this directory stays offline, and plain
 * X.509-SVIDs for clients ({@link #issueClient}). {@link TrustBundle#export} hands out the public
 * half, which is all that hosts and nodes need to verify one another.
 *
 * JWT-SVIDs get their own key rather than the PQ root's, so that the root key signs only
 * identity documents and can be kept offline while tokens are minted.
 */
public final class CertificateAuthority {
    static final String META = "ca.json";
    static final String ROOT_CERT = "root.crt";
    static final String ROOT_KEY = "root.key";
    static final String PQ_ROOT_CERT = "root-mldsa.crt";
    static final String PQ_ROOT_KEY = "root-mldsa.key";
    static final String JWT_PUBLIC = "jwt.pub";
    static final String JWT_KEY = "jwt.key";
    static final String NODES = "nodes";
    public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(24);

    private final Path dir;
    private final TrustBundle bundle;
    private final PrivateKey rootKey;
    private final MlDsaPrivateKey pqRootKey;
    private final MlDsaPrivateKey jwtKey;
    private final String jwtKid;

    private CertificateAuthority(Path dir, TrustBundle bundle, PrivateKey rootKey, MlDsaPrivateKey pqRootKey,
                                 MlDsaPrivateKey jwtKey, String jwtKid) {
        this.dir = dir;
        this.bundle = bundle;
        this.rootKey = rootKey;
        this.pqRootKey = pqRootKey;
        this.jwtKey = jwtKey;
        this.jwtKid = jwtKid;
    }

    /** Creates a new CA in {@code dir} (created if needed); refuses a directory that already holds one. */
    public static CertificateAuthority init(Path dir, String trustDomain, Instant now, SecureRandom random) {
        SpiffeId.checkTrustDomain(trustDomain);
        if (Files.exists(dir.resolve(META))) {
            throw new CredentialFileException(dir.resolve(META), "a CA already exists here; use it, or pick an empty --dir");
        }
        CredentialFiles.createDirectory(dir);

        KeyPair ec = X509.p256(random);
        X509Certificate root = X509.selfSignedRoot(trustDomain, "x0tta6bl4 root (EC P-256)", ec.getPublic(), ec.getPrivate(),
                "SHA256withECDSA", 1, now, random);
        MlDsa pq = MlDsa.generate(random);
        X509Certificate pqRoot = X509.selfSignedRoot(trustDomain, "x0tta6bl4 root (ML-DSA-65)", pq.publicKey().jdk(),
                pq.privateKey().jdk(), "ML-DSA-65", 0, now, random);
        MlDsa jwt = MlDsa.generate(random);
        String kid = Hex.encode(Arrays.copyOf(Digests.sha256(jwt.publicKey().encoded()), 8));

        CredentialFiles.writeSecret(dir.resolve(ROOT_KEY), Pem.encode(Pem.PRIVATE_KEY, ec.getPrivate().getEncoded()));
        CredentialFiles.writeSecret(dir.resolve(PQ_ROOT_KEY), Pem.encode(Pem.PRIVATE_KEY, pq.privateKey().encoded()));
        CredentialFiles.writeSecret(dir.resolve(JWT_KEY), Pem.encode(Pem.PRIVATE_KEY, jwt.privateKey().encoded()));
        CredentialFiles.writePublic(dir.resolve(ROOT_CERT), X509.pem(root));
        CredentialFiles.writePublic(dir.resolve(PQ_ROOT_CERT), X509.pem(pqRoot));
        CredentialFiles.writePublic(dir.resolve(JWT_PUBLIC), Pem.encode(Pem.PUBLIC_KEY, jwt.publicKey().encoded()));
        ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.put("format", 1);
        meta.put("trust_domain", trustDomain);
        meta.put("jwt_kid", kid);
        meta.put("created", now.toString());
        // Written last: its presence means the CA is complete.
        CredentialFiles.writePublic(dir.resolve(META), meta.toPrettyString() + "\n");
        return load(dir);
    }

    /** Opens an existing CA directory, including its private keys. */
    public static CertificateAuthority load(Path dir) {
        TrustBundle bundle = TrustBundle.load(dir);
        String hint = "the CA in " + dir + " is incomplete; create a new one with: x0tta6bl4 ca init";
        JsonNode meta = Json.parseObject(dir.resolve(META).toString(), CredentialFiles.read(dir.resolve(META), hint));
        if (meta.has("kind") && TrustBundle.BUNDLE_KIND.equals(meta.get("kind").asText())) {
            throw new CredentialFileException(dir.resolve(META), "belongs to an exported trust bundle (public keys only), not to a CA; "
                    + "use the CA directory, which holds root.key");
        }
        Path rootKeyFile = dir.resolve(ROOT_KEY);
        PrivateKey rootKey = X509.p256Private(rootKeyFile, Pem.decode(rootKeyFile, CredentialFiles.read(rootKeyFile, hint), Pem.PRIVATE_KEY));
        String kid = Json.text(dir.resolve(META).toString(), meta, "jwt_kid");
        return new CertificateAuthority(dir, bundle, rootKey, mlDsaKey(dir.resolve(PQ_ROOT_KEY), hint),
                mlDsaKey(dir.resolve(JWT_KEY), hint), kid);
    }

    static MlDsaPrivateKey mlDsaKey(Path file, String hint) {
        try {
            return MlDsaPrivateKey.decode(Pem.decode(file, CredentialFiles.read(file, hint), Pem.PRIVATE_KEY));
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(file, e.getMessage());
        }
    }

    public Path dir() {
        return dir;
    }

    public TrustBundle bundle() {
        return bundle;
    }

    public String trustDomain() {
        return bundle.trustDomain();
    }

    public Path nodeDir(String name) {
        return dir.resolve(NODES).resolve(NodeName.check(name));
    }

    /**
     * Enrols a node: a fresh P-256 key and X.509-SVID for {@code spiffe://<domain>/node/<name>},
     * fresh ML-DSA-65, ML-KEM-768 and X25519 key pairs, and a PQ identity document (version 1)
     * binding them (and the SVID's fingerprint) to the SPIFFE ID, signed by the ML-DSA-65 root.
     * Everything is written under {@code nodes/<name>/}; an existing node is never overwritten.
     */
    public NodeCredentials issueNode(String name, Duration ttl, Instant now, SecureRandom random) {
        checkTtl("SVID", ttl, now, "24h");
        Path nodeDir = nodeDir(name);
        if (Files.exists(nodeDir)) {
            throw new CredentialFileException(nodeDir, "node '" + name + "' is already enrolled; pick another --name");
        }
        return NodeEnrolment.write(nodeDir, SpiffeId.node(trustDomain(), name), bundle.x509Root(), rootKey, List.of(), pqRootKey,
                Optional.empty(), now.minus(X509.BACKDATE), now.plus(ttl), random);
    }

    /**
     * Makes a host agent's issuing credentials in {@code dir} (new or empty), so that it can enrol
     * the nodes it starts while the roots stay here, offline (SPIRE's server/agent split):
     *
     * <pre>
     *   issuer.crt          EC P-256 intermediate CA signed by the root (CA, pathLen 0, keyCertSign|cRLSign,
     *                       URI SAN spiffe://DOMAIN); it signs the nodes' X.509-SVIDs
     *   issuer.key          its private key, mode 0600
     *   issuer-mldsa.json   PQ issuer document ({@link PqIssuerDocument}) for spiffe://DOMAIN/host/NAME,
     *                       signed by the ML-DSA-65 root; its key signs the nodes' identity documents
     *   issuer-mldsa.key    its ML-DSA-65 private key, mode 0600
     *   svid.crt, svid.key  the host agent's own X.509-SVID for spiffe://DOMAIN/host/NAME, issued by
     *                       issuer.crt (the file holds the leaf, then issuer.crt), for its TLS listener
     * </pre>
     *
     * All three are valid from {@code now} (less the usual minute of backdating) for {@code ttl},
     * which must not outlive the roots. The host's own SVID lasts as long as the issuer: its key
     * sits beside issuer.key, so whoever could steal it could steal the issuing key, and a shorter
     * life would buy nothing; both are renewed together by issuing the host again.
     *
     * @throws IllegalArgumentException   for a bad host name or ttl
     * @throws CredentialFileException    if {@code dir} is not new or empty, or the root is one made
     *                                    before host issuers existed (pathLen 0)
     */
    public NodeIssuer issueIssuer(String hostName, Duration ttl, Instant now, SecureRandom random, Path dir) {
        SpiffeId hostId = PqIssuerDocument.hostId(trustDomain(), hostName);
        checkTtl("issuer", ttl, now, "720h");
        X509Certificate root = bundle.x509Root();
        if (root.getBasicConstraints() < 1) {
            throw new CredentialFileException(this.dir.resolve(ROOT_CERT), "allows no intermediate CA (pathLen " + root.getBasicConstraints()
                    + "): this CA was made before host issuers existed; create a new CA with x0tta6bl4 ca init, or keep enrolling "
                    + "nodes with x0tta6bl4 ca issue-node");
        }
        CredentialFiles.requireNewOrEmpty(dir, "choose a new --out directory for the issuer of host '" + hostName + "'");
        Instant notBefore = now.minus(X509.BACKDATE);
        Instant notAfter = now.plus(ttl);
        KeyPair ec = X509.p256(random);
        X509Certificate intermediate = X509.intermediate(root, rootKey, ec.getPublic(), trustDomain(), hostName, notBefore, notAfter, random);
        MlDsa pq = MlDsa.generate(random);
        byte[] tbs = PqIssuerDocument.toBeSigned(hostId, pq.publicKey(), notBefore, notAfter);
        PqIssuerDocument doc = new PqIssuerDocument(hostId, pq.publicKey(), notBefore, notAfter, pqRootKey.sign(tbs, random));
        KeyPair host = X509.p256(random);
        X509Certificate hostSvid = X509.svid(intermediate, ec.getPrivate(), host.getPublic(), hostId, List.of("localhost"),
                List.of("127.0.0.1"), notBefore, notAfter, random);

        CredentialFiles.createDirectory(dir);
        CredentialFiles.writeSecret(dir.resolve(NodeIssuer.ISSUER_KEY), Pem.encode(Pem.PRIVATE_KEY, ec.getPrivate().getEncoded()));
        CredentialFiles.writeSecret(dir.resolve(NodeIssuer.ISSUER_PQ_KEY), Pem.encode(Pem.PRIVATE_KEY, pq.privateKey().encoded()));
        CredentialFiles.writeSecret(dir.resolve(NodeCredentials.SVID_KEY), Pem.encode(Pem.PRIVATE_KEY, host.getPrivate().getEncoded()));
        CredentialFiles.writePublic(dir.resolve(NodeIssuer.ISSUER_CERT), X509.pem(intermediate));
        CredentialFiles.writePublic(dir.resolve(NodeIssuer.ISSUER_DOCUMENT), doc.toJson());
        CredentialFiles.writePublic(dir.resolve(NodeCredentials.SVID_CERT), X509.pem(hostSvid) + X509.pem(intermediate));
        return NodeIssuer.load(dir, bundle, now);
    }

    /**
     * Issues an X.509-SVID for {@code id}, signed by the root, into {@code dir} (new or empty) as
     * {@code svid.crt} and {@code svid.key}: for a party that only needs to be known in TLS, such
     * as an operator's CLI talking to host agents. No DNS or IP SANs: it is a client.
     */
    public SvidCredentials issueClient(SpiffeId id, Duration ttl, Instant now, SecureRandom random, Path dir) {
        if (!id.memberOf(trustDomain())) {
            throw new IllegalArgumentException(id + " is not in trust domain " + trustDomain() + "; this CA issues only spiffe://"
                    + trustDomain() + "/...");
        }
        checkTtl("SVID", ttl, now, "24h");
        CredentialFiles.requireNewOrEmpty(dir, "choose a new directory for the SVID of " + id);
        KeyPair key = X509.p256(random);
        X509Certificate svid = X509.svid(bundle.x509Root(), rootKey, key.getPublic(), id, List.of(), List.of(), now, ttl, random);
        CredentialFiles.createDirectory(dir);
        CredentialFiles.writeSecret(dir.resolve(NodeCredentials.SVID_KEY), Pem.encode(Pem.PRIVATE_KEY, key.getPrivate().getEncoded()));
        CredentialFiles.writePublic(dir.resolve(NodeCredentials.SVID_CERT), X509.pem(svid));
        return SvidCredentials.load(dir);
    }

    /** A lifetime from {@code now} must be positive and end before the roots do. */
    private void checkTtl(String what, Duration ttl, Instant now, String defaultTtl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException(what + " ttl must be positive, got " + ttl);
        }
        Instant rootExpiry = bundle.x509Root().getNotAfter().toInstant();
        Instant pqExpiry = bundle.pqRoot().getNotAfter().toInstant();
        if (pqExpiry.isBefore(rootExpiry)) {
            rootExpiry = pqExpiry;
        }
        if (ttl.compareTo(Duration.between(now, rootExpiry)) > 0) {
            throw new IllegalArgumentException(what + " ttl " + ttl.toDays() + " days would outlive the root certificate, which expires "
                    + rootExpiry + "; choose a shorter --ttl (default " + defaultTtl + ")");
        }
    }

    /** Issues JWT-SVIDs for this trust domain with the CA's JWT key. */
    public JwtSvidIssuer jwtIssuer(SecureRandom random) {
        return new JwtSvidIssuer(trustDomain(), jwtKid, jwtKey, random);
    }

    /** The enrolled node names, sorted. */
    public List<String> nodes() {
        Path nodes = dir.resolve(NODES);
        if (!Files.isDirectory(nodes)) {
            return List.of();
        }
        try (var s = Files.list(nodes)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new CredentialFileException(nodes, "cannot list: " + e.getMessage(), e);
        }
    }
}
