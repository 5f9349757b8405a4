package io.x0tta6bl4.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code source: [CIDR, ...]}: the address ranges a request must come from. Each entry is
 * {@code a.b.c.d/n} (n = 0..32), an IPv6 {@code x:x::x/n} (n = 0..128), or a bare address (a
 * single host). Parsed by hand, never through {@link InetAddress#getByName}, so a policy can never
 * trigger a DNS lookup; IPv4 is strict dotted decimal (no octal {@code 010}, no short
 * {@code 10.1}), and a range with bits set after its prefix ({@code 10.0.0.1/8}) is refused
 * because it usually hides a mistake.
 *
 * <p>The families are separate: {@code ::/0} matches every IPv6 address and no IPv4 one. An
 * IPv4-mapped IPv6 source ({@code ::ffff:10.1.2.3}) is matched as the IPv4 address it carries,
 * as a dual-stack listener reports IPv4 clients that way.
 *
 * <p>Each range is held as a masked 128-bit value in two longs (IPv4 in the low 32 bits), so a
 * check is two ANDs and two compares per range.
 */
final class AddressRanges {
    private record Range(boolean v6, long hi, long lo, long hiMask, long loMask) {
        boolean contains(boolean isV6, long aHi, long aLo) {
            return v6 == isV6 && (aHi & hiMask) == hi && (aLo & loMask) == lo;
        }
    }

    private final Range[] ranges;

    private AddressRanges(Range[] ranges) {
        this.ranges = ranges;
    }

    /** Compiles entries already checked by {@link #check}. */
    static AddressRanges compile(List<String> entries) {
        return new AddressRanges(entries.stream().map(AddressRanges::range).toArray(Range[]::new));
    }

    /** Null when {@code entry} is a valid range, else what is wrong with it. */
    static String check(String entry) {
        try {
            range(entry);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        boolean v6 = b.length == 16 && !isV4Mapped(b);
        long hi = 0;
        long lo;
        if (b.length == 4) {
            lo = bytes(b, 0, 4);
        } else if (!v6) {
            lo = bytes(b, 12, 16);
        } else {
            hi = bytes(b, 0, 8);
            lo = bytes(b, 8, 16);
        }
        for (Range r : ranges) {
            if (r.contains(v6, hi, lo)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static long bytes(byte[] b, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static Range range(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        boolean v6 = address.indexOf(':') >= 0;
        int bits = v6 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0) {
            prefix = prefix(entry, entry.substring(slash + 1), bits);
        }
        long hi = 0;
        long lo;
        if (v6) {
            byte[] b = ipv6(entry, address);
            hi = bytes(b, 0, 8);
            lo = bytes(b, 8, 16);
        } else {
            lo = ipv4(entry, address);
        }
        long hiMask;
        long loMask;
        if (v6) {
            hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
            loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        } else {
            hiMask = 0;
            loMask = prefix == 0 ? 0 : (0xffff_ffffL << (32 - prefix)) & 0xffff_ffffL;
        }
        if ((hi & ~hiMask) != 0 || (lo & ~loMask) != 0) {
            throw new IllegalArgumentException("\"" + entry + "\" has address bits set after the first " + prefix
                    + "; the range is " + format(v6, hi & hiMask, lo & loMask) + "/" + prefix);
        }
        return new Range(v6, hi, lo, hiMask, loMask);
    }

    private static int prefix(String entry, String text, int bits) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || text.length() > 1 && text.charAt(0) == '0') {
            throw new IllegalArgumentException("\"" + entry + "\": the prefix length after '/' must be a whole number 0.." + bits);
        }
        int p = Integer.parseInt(text);
        if (p > bits) {
            throw new IllegalArgumentException("\"" + entry + "\": prefix length " + p + " is more than " + bits
                    + (bits == 32 ? " (IPv4)" : " (IPv6)"));
        }
        return p;
    }

    private static long ipv4(String entry, String address) {
        String usage = "\"" + entry + "\" is not an address range; write a.b.c.d/n (IPv4) or x:x::x/n (IPv6), e.g. 10.0.0.0/8";
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(usage);
        }
        long v = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException(usage);
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                throw new IllegalArgumentException("\"" + entry + "\": '" + part + "' has a leading zero, which some tools read as octal; write it without");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + entry + "\": " + octet + " is not an octet (0..255)");
            }
            v = v << 8 | octet;
        }
        return v;
    }

    private static byte[] ipv6(String entry, String address) {
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                throw new IllegalArgumentException("\"" + entry + "\": '" + c + "' cannot appear in an IPv6 address"
                        + (c == '%' ? " (zone ids are not allowed)" : ""));
            }
        }
        InetAddress parsed;
        try {
            parsed = Inet6Address.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + entry + "\": \"" + address + "\" is not an IPv6 address");
        }
        if (parsed instanceof Inet4Address) {
            throw new IllegalArgumentException("\"" + entry + "\" is an IPv4-mapped IPv6 address; write the IPv4 range instead");
        }
        return parsed.getAddress();
    }

    private static String format(boolean v6, long hi, long lo) {
        if (!v6) {
            return (lo >>> 24) + "." + (lo >>> 16 & 0xff) + "." + (lo >>> 8 & 0xff) + "." + (lo & 0xff);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long group = (i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4))) & 0xffff;
            b.append(i == 0 ? "" : ":").append(Long.toHexString(group));
        }
        return b.toString();
    }
}
