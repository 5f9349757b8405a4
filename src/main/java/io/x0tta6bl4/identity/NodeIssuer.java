package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A host agent's issuing credentials: it enrols the nodes it starts, so that the CA's root keys
 * can stay offline. This is SPIRE's split between the server (here {@link CertificateAuthority},
 * run rarely, by an operator) and the agent on each host, with one difference: SPIRE's agent asks
 * the server to sign every SVID, while ours holds an intermediate issuing key the roots signed
 * once ({@link CertificateAuthority#issueIssuer}) and signs by itself, so enrolling a node needs
 * no round trip and no server up.
 *
 * <p>Both halves of a node's identity are issued through the host: the X.509-SVID by the
 * intermediate CA in {@code issuer.crt} (svid.crt holds the leaf and then the intermediate, so a
 * TLS peer that trusts only the root can build the path), and the PQ identity document, version 2,
 * by the ML-DSA-65 key of {@code issuer-mldsa.json}, which the document carries. A verifier needs
 * only the {@link TrustBundle}.
 *
 * <p>{@link #load} checks the whole directory against the bundle before anything is issued: the
 * intermediate and the host's own SVID validate to the root, the issuer document is root-signed
 * and valid, each private key is its public key's. A credential that would fail later at a peer
 * fails here, naming the file. Lifetimes nest: a node's SVID never outlives the issuer
 * ({@link #issueNode} refuses such a ttl rather than cap it silently, since a caller who asked for
 * 30 days and got 2 would find out only when the node drops out of the mesh).
 *
 * <p>The directory, as {@code ca issue-host} writes it:
 *
 * <pre>
 *   issuer.crt          EC P-256 intermediate CA, signed by the root
 *   issuer.key          its private key, mode 0600
 *   issuer-mldsa.json   PQ issuer document for spiffe://DOMAIN/host/NAME, signed by the ML-DSA-65 root
 *   issuer-mldsa.key    its ML-DSA-65 private key, mode 0600
 *   svid.crt            the host agent's own X.509-SVID, then issuer.crt
 *   svid.key            its private key, mode 0600
 * </pre>
 */
public final class NodeIssuer {
    static final String ISSUER_CERT = "issuer.crt";
    static final String ISSUER_KEY = "issuer.key";
    static final String ISSUER_DOCUMENT = "issuer-mldsa.json";
    static final String ISSUER_PQ_KEY = "issuer-mldsa.key";

    private final TrustBundle bundle;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final PqIssuerDocument document;
    private final MlDsaPrivateKey documentKey;
    private final SvidCredentials credentials;

    private NodeIssuer(TrustBundle bundle, X509Certificate certificate, PrivateKey key, PqIssuerDocument document,
                       MlDsaPrivateKey documentKey, SvidCredentials credentials) {
        this.bundle = bundle;
        this.certificate = certificate;
        this.key = key;
        this.document = document;
        this.documentKey = documentKey;
        this.credentials = credentials;
    }

    /**
     * Reads a host's issuer directory and checks it against {@code bundle} at {@code now}; every
     * problem is a {@link CredentialFileException} naming the file.
     */
    public static NodeIssuer load(Path issuerDir, TrustBundle bundle, Instant now) {
        String hint = "create the host's issuer with: x0tta6bl4 ca issue-host --dir CA_DIR --name HOST --out " + issuerDir;
        String again = "; issue the host again with x0tta6bl4 ca issue-host into a new directory";

        Path certFile = issuerDir.resolve(ISSUER_CERT);
        X509Certificate certificate = X509.readChain(certFile, CredentialFiles.read(certFile, hint)).getFirst();
        Path keyFile = issuerDir.resolve(ISSUER_KEY);
        PrivateKey key = X509.p256Private(keyFile, Pem.decode(keyFile, CredentialFiles.read(keyFile, hint), Pem.PRIVATE_KEY));
        if (!KeyMatch.ecMatches(certificate, key)) {
            throw new CredentialFileException(keyFile, "does not match the public key in " + ISSUER_CERT + "; the files come from different issuances" + again);
        }
        boolean[] ku = certificate.getKeyUsage();
        if (certificate.getBasicConstraints() < 0 || ku == null || ku.length < 6 || !ku[5]) {
            throw new CredentialFileException(certFile, "is not an intermediate CA certificate (it needs basicConstraints CA:true and keyCertSign)" + again);
        }
        try {
            X509Path.validate(bundle.x509Root(), bundle.trustDomain(), List.of(certificate), now,
                    "intermediate CA '" + certificate.getSubjectX500Principal().getName() + "'");
        } catch (IdentityVerificationException e) {
            throw new CredentialFileException(certFile, "does not verify against the trust bundle: " + e.getMessage() + again);
        }

        Path documentFile = issuerDir.resolve(ISSUER_DOCUMENT);
        PqIssuerDocument document;
        try {
            document = PqIssuerDocument.fromJson(documentFile.toString(), CredentialFiles.read(documentFile, hint));
        } catch (IllegalArgumentException e) {
            throw CredentialFiles.parseProblem(documentFile, e);
        }
        try {
            bundle.verifyIssuer(document, now);
        } catch (IdentityVerificationException e) {
            throw new CredentialFileException(documentFile, "does not verify against the trust bundle: " + e.getMessage() + again);
        }
        Path documentKeyFile = issuerDir.resolve(ISSUER_PQ_KEY);
        MlDsaPrivateKey documentKey = CertificateAuthority.mlDsaKey(documentKeyFile, hint);
        if (!KeyMatch.mlDsaMatches(document.signingKey(), documentKey)) {
            throw new CredentialFileException(documentKeyFile, "does not match the ML-DSA-65 key in " + ISSUER_DOCUMENT
                    + "; the files come from different issuances" + again);
        }

        SvidCredentials credentials = SvidCredentials.load(issuerDir);
        Path svidFile = issuerDir.resolve(NodeCredentials.SVID_CERT);
        if (credentials.svidChain().size() < 2 || !credentials.svidChain().get(1).equals(certificate)) {
            throw new CredentialFileException(svidFile, "must hold the host's X.509-SVID followed by " + ISSUER_CERT
                    + ", so that TLS peers can reach the root" + again);
        }
        try {
            bundle.verifySvid(credentials.svidChain(), now);
        } catch (IdentityVerificationException e) {
            throw new CredentialFileException(svidFile, "does not verify against the trust bundle: " + e.getMessage() + again);
        }
        if (!credentials.id().equals(document.spiffeId())) {
            throw new CredentialFileException(svidFile, "is for " + credentials.id() + " but " + ISSUER_DOCUMENT + " is for "
                    + document.spiffeId() + "; the files come from different issuances" + again);
        }
        return new NodeIssuer(bundle, certificate, key, document, documentKey, credentials);
    }

    /** The host's SPIFFE ID, {@code spiffe://<domain>/host/<name>}. */
    public SpiffeId id() {
        return document.spiffeId();
    }

    public TrustBundle bundle() {
        return bundle;
    }

    /** The root-signed document that vouches for this issuer's ML-DSA-65 key; version 2 identity documents carry it. */
    public PqIssuerDocument document() {
        return document;
    }

    /** The host agent's own X.509-SVID (chain: leaf, intermediate) and key, for its TLS listener and calls. */
    public SvidCredentials credentials() {
        return credentials;
    }

    /** When this issuer stops being valid: the earlier end of its X.509 and PQ halves. */
    public Instant notAfter() {
        Instant x509 = certificate.getNotAfter().toInstant();
        return x509.isBefore(document.notAfter()) ? x509 : document.notAfter();
    }

    private Instant notBefore() {
        Instant x509 = certificate.getNotBefore().toInstant();
        return x509.isAfter(document.notBefore()) ? x509 : document.notBefore();
    }

    /**
     * Enrols a node into {@code nodeDir} (new or empty), with the files of
     * {@link NodeCredentials}: an X.509-SVID for {@code spiffe://<domain>/node/<name>} signed by
     * this host's intermediate (svid.crt: leaf, then issuer.crt), and a version 2 identity
     * document signed by this host's ML-DSA-65 key that carries the issuer document.
     *
     * <p>The node's credentials start when the issuer does at the earliest (the usual minute of
     * backdating is cut short for a brand new issuer), so a verifier that checks a document at
     * its own start, as the ledger's verifier does, finds the issuer valid then too.
     *
     * @throws IllegalArgumentException if the name is invalid, the ttl is not positive, the issuer
     *                                  is not valid at {@code now}, or the SVID would outlive it
     */
    public NodeCredentials issueNode(String name, Duration ttl, Instant now, SecureRandom random, Path nodeDir) {
        SpiffeId id = SpiffeId.node(bundle.trustDomain(), NodeName.check(name));
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("SVID ttl must be positive, got " + ttl);
        }
        if (now.isBefore(notBefore()) || now.isAfter(notAfter())) {
            throw new IllegalArgumentException("the issuer of " + id() + " is valid from " + notBefore() + " to " + notAfter() + ", not at "
                    + now + "; issue the host again with x0tta6bl4 ca issue-host");
        }
        if (now.plus(ttl).isAfter(notAfter())) {
            throw new IllegalArgumentException("SVID ttl " + ttl + " would outlive the issuer of " + id() + ", which expires " + notAfter()
                    + "; choose a ttl of at most " + Duration.between(now, notAfter()) + ", or issue the host again with x0tta6bl4 ca issue-host");
        }
        CredentialFiles.requireNewOrEmpty(nodeDir, "choose a new directory for node '" + name + "'");
        Instant from = now.minus(X509.BACKDATE);
        if (from.isBefore(notBefore())) {
            from = notBefore();
        }
        return NodeEnrolment.write(nodeDir, id, certificate, key, List.of(certificate), documentKey,
                Optional.of(PqIdentityDocument.Issuer.of(document)), from, now.plus(ttl), random);
    }

    @Override
    public String toString() {
        return "NodeIssuer[" + id() + ", valid until " + notAfter() + "]";
    }
}
