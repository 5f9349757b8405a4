package io.x0tta6bl4.identity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** RFC 7468 textual encoding: {@code -----BEGIN LABEL-----}, base64 in 64-column lines, {@code -----END LABEL-----}. */
final class Pem {
    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String PUBLIC_KEY = "PUBLIC KEY";

    private Pem() {}

    static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** Every block with {@code label}, in order. A file without one is an error naming the file. */
    static List<byte[]> decodeAll(Path file, String text, String label) {
        List<byte[]> out = new ArrayList<>();
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) {
                break;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                throw new CredentialFileException(file, "PEM block '" + label + "' has no END line");
            }
            String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
            try {
                out.add(Base64.getDecoder().decode(body));
            } catch (IllegalArgumentException ex) {
                throw new CredentialFileException(file, "PEM block '" + label + "' is not valid base64");
            }
            from = e + end.length();
        }
        if (out.isEmpty()) {
            throw new CredentialFileException(file, "no '" + begin + "' block found");
        }
        return out;
    }

    static byte[] decode(Path file, String text, String label) {
        return decodeAll(file, text, label).getFirst();
    }
}
