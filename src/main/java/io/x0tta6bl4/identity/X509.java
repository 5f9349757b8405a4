package io.x0tta6bl4.identity;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate building (Bouncy Castle's builder; the JDK has none) and parsing (the JDK). The
 * signatures themselves come from JDK providers: ECDSA P-256 for the TLS root and SVIDs, ML-DSA-65
 * for the post-quantum root.
 */
final class X509 {
    static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
    /** Certificates start a minute in the past so that a peer whose clock lags slightly accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(1);

    private X509() {}

    static KeyPair p256(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available from this JDK", e);
        }
    }

    static PrivateKey p256Private(Path file, byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new CredentialFileException(file, "is not an EC P-256 private key (PKCS#8): " + e.getMessage());
        }
    }

    /**
     * A self-signed CA certificate for {@code spiffe://<domain>}, signed with {@code signatureAlgorithm}.
     * {@code pathLength} is how many intermediate CAs may stand between it and a leaf (RFC 5280
     * §4.2.1.9): 1 for the EC root, under which host agents hold intermediates; 0 for the ML-DSA-65
     * root, which signs documents, not certificates.
     */
    static X509Certificate selfSignedRoot(String trustDomain, String commonName, PublicKey publicKey, PrivateKey privateKey,
                                          String signatureAlgorithm, int pathLength, Instant now, SecureRandom random) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "x0tta6bl4")
                .addRDN(BCStyle.OU, trustDomain)
                .addRDN(BCStyle.CN, commonName)
                .build();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(ROOT_VALIDITY)), name, publicKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            return sign(b, signatureAlgorithm, privateKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the root certificate", e);
        }
    }

    /**
     * A host agent's intermediate CA, signed by the EC root: CA with pathLen 0 (it signs leaves
     * only), keyCertSign and cRLSign, and as its only URI SAN the trust domain's ID
     * {@code spiffe://<domain>}: the SPIFFE X.509-SVID specification lets a signing certificate
     * carry that, and no workload's ID. The host's name is in the subject's CN, for people.
     */
    static X509Certificate intermediate(X509Certificate root, PrivateKey rootKey, PublicKey publicKey, String trustDomain, String hostName,
                                        Instant notBefore, Instant notAfter, SecureRandom random) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "x0tta6bl4")
                .addRDN(BCStyle.OU, trustDomain)
                .addRDN(BCStyle.CN, "x0tta6bl4 host issuer " + hostName)
                .build();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(root, serial(random), Date.from(notBefore), Date.from(notAfter),
                    subject, publicKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            return sign(b, "SHA256withECDSA", rootKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the intermediate certificate of host " + hostName, e);
        }
    }

    /**
     * An X.509-SVID: exactly one URI SAN (the SPIFFE ID), not a CA, digitalSignature only, usable
     * as TLS server and client. DNS and IP SANs may be added (the SPIFFE spec allows them) so that
     * ordinary HTTPS clients such as curl can check the API listener's host name.
     */
    static X509Certificate svid(X509Certificate issuer, PrivateKey issuerKey, PublicKey subjectKey, SpiffeId id,
                                List<String> dnsNames, List<String> ipAddresses, Instant now, Duration ttl, SecureRandom random) {
        return svid(issuer, issuerKey, subjectKey, id, dnsNames, ipAddresses, now.minus(BACKDATE), now.plus(ttl), random);
    }

    /** The same, valid from {@code notBefore} to {@code notAfter} exactly. */
    static X509Certificate svid(X509Certificate issuer, PrivateKey issuerKey, PublicKey subjectKey, SpiffeId id,
                                List<String> dnsNames, List<String> ipAddresses, Instant notBefore, Instant notAfter, SecureRandom random) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "x0tta6bl4")
                .addRDN(BCStyle.OU, id.trustDomain())
                .build();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
            dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            return sign(b, "SHA256withECDSA", issuerKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the X.509-SVID for " + id, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, String algorithm, PrivateKey key) throws CertificateException {
        try {
            byte[] der = b.build(new JcaContentSignerBuilder(algorithm).build(key)).getEncoded();
            return parse(der);
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new CertificateException("cannot sign certificate with " + algorithm, e);
        }
    }

    static X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    static List<X509Certificate> readChain(Path file, String text) {
        List<X509Certificate> chain = new ArrayList<>();
        for (byte[] der : Pem.decodeAll(file, text, Pem.CERTIFICATE)) {
            try {
                chain.add(parse(der));
            } catch (CertificateException e) {
                throw new CredentialFileException(file, "holds a certificate that does not parse: " + e.getMessage());
            }
        }
        return chain;
    }

    static String pem(X509Certificate cert) {
        try {
            return Pem.encode(Pem.CERTIFICATE, cert.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
