package io.x0tta6bl4.identity;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * PKIX path validation (RFC 5280 §6, the JDK's validator) of a certificate path to the EC root,
 * with refusals an operator can act on.
 *
 * <p>The JDK's validator answers most chain faults with one sentence, "Path does not chain with
 * any of the trust anchors", whether the intermediate was left out, comes from another CA or the
 * chain is out of order. With host agents holding intermediates those faults become the common
 * ones, so when PKIX refuses a path this class walks it link by link (issuer name, then
 * signature) and names the first certificate that breaks it. The diagnosis only explains a
 * refusal; it never accepts a path PKIX refused.
 *
 * <p>Two rules are checked here before PKIX. The root's own pathLen: the JDK takes the trust
 * anchor as RFC 5280 §6.1 does, as a name and a key, and ignores the constraints in its
 * certificate, while OpenSSL (curl) and Go (SPIRE) enforce them. A root made before host issuers
 * existed (pathLen 0) would then pass host-issued SVIDs here and fail them everywhere else; it
 * fails them here too, saying why. And every certificate above the leaf must be a CA, named when
 * it is not.
 */
final class X509Path {
    private X509Path() {}

    /** Validates {@code path} (an X.509-SVID first, root omitted) to {@code root} at {@code at}. */
    static void validate(X509Certificate root, String trustDomain, List<X509Certificate> path, Instant at)
            throws IdentityVerificationException {
        validate(root, trustDomain, path, at, "the X.509-SVID");
    }

    /** The same, calling the first certificate {@code firstName} in refusals (e.g. when it is itself an intermediate). */
    static void validate(X509Certificate root, String trustDomain, List<X509Certificate> path, Instant at, String firstName)
            throws IdentityVerificationException {
        String refused = "certificate chain does not validate to the " + trustDomain + " root: ";
        int intermediates = path.size() - 1;
        int allowed = root.getBasicConstraints();
        if (intermediates > 0 && intermediates > allowed) {
            throw new IdentityVerificationException(refused + "the root allows " + allowed + " intermediate CA certificate(s) (pathLen "
                    + allowed + ") and the chain has " + intermediates
                    + (allowed == 0 ? "; this CA was made before host issuers existed: create a new one with x0tta6bl4 ca init" : ""));
        }
        for (int i = 1; i < path.size(); i++) {
            if (path.get(i).getBasicConstraints() < 0) {
                throw new IdentityVerificationException(refused + describe(path, i, firstName) + " is not a CA certificate (basicConstraints CA:false)");
            }
        }
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
            throw new IdentityVerificationException(refused + explain(root, path, at, e, firstName));
        } catch (GeneralSecurityException e) {
            throw new IdentityVerificationException("certificate chain cannot be checked: " + e.getMessage());
        }
    }

    private static String explain(X509Certificate root, List<X509Certificate> path, Instant at, CertPathValidatorException e,
                                  String firstName) {
        int i = e.getIndex();
        if ((e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) && i >= 0 && i < path.size()) {
            X509Certificate c = path.get(i);
            return describe(path, i, firstName) + " is valid from " + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant()
                    + ", not at " + at;
        }
        // "Does not chain", "name chaining check failed", "signature check failed": find the link.
        String link = brokenLink(root, path, firstName);
        if (link != null) {
            return link;
        }
        return (i >= 0 && i < path.size() ? describe(path, i, firstName) + ": " : "") + e.getMessage();
    }

    /** The first certificate not issued by the next one up (the root above the last), or null if every link holds. */
    private static String brokenLink(X509Certificate root, List<X509Certificate> path, String firstName) {
        for (int i = 0; i < path.size(); i++) {
            X509Certificate c = path.get(i);
            boolean top = i == path.size() - 1;
            X509Certificate up = top ? root : path.get(i + 1);
            String upName = top ? "the root" : describe(path, i + 1, firstName) + " sent with it";
            X500Principal issuer = c.getIssuerX500Principal();
            if (!issuer.equals(up.getSubjectX500Principal())) {
                if (top && i == 0 && c.getBasicConstraints() < 0) {
                    return describe(path, 0, firstName) + " was issued by '" + issuer.getName() + "', which is not the root; an SVID issued by a host's "
                            + "intermediate CA must be sent with it (svid.crt holds the leaf, then issuer.crt)";
                }
                return describe(path, i, firstName) + " was issued by '" + issuer.getName() + "', not by " + upName;
            }
            try {
                c.verify(up.getPublicKey());
            } catch (GeneralSecurityException ex) {
                return describe(path, i, firstName) + " names " + upName + " as its issuer but is not signed by its key"
                        + (top ? " (issued by another CA of the same name?)" : "");
            }
        }
        return null;
    }

    private static String describe(List<X509Certificate> path, int i, String firstName) {
        return i == 0 ? firstName : "intermediate CA '" + path.get(i).getSubjectX500Principal().getName() + "'";
    }
}
