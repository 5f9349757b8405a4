package io.x0tta6bl4.policy;

/**
 * {@code hours_utc: "HH:MM-HH:MM"}: a window of each day in UTC, from the first time included to
 * the second excluded, so {@code 09:00-17:00} holds from 09:00:00.000 up to, not including,
 * 17:00:00.000. A window whose start is after its end crosses midnight: {@code 22:00-06:00} holds
 * from 22:00 to 06:00 the next morning, and {@code 18:00-00:00} from 18:00 to midnight. UTC,
 * because nodes of one mesh may sit in different zones and must agree on every decision; and
 * equal times are refused, since they could mean an empty window or the whole day.
 */
record DailyWindow(String text, int fromSecond, int toSecond) {
    private static final int DAY = 86_400;

    /** The window, or throws {@link IllegalArgumentException} saying what to write. */
    static DailyWindow parse(String text) {
        if (text.length() != 11 || text.charAt(2) != ':' || text.charAt(5) != '-' || text.charAt(8) != ':') {
            throw new IllegalArgumentException("\"" + text + "\" is not a window; write HH:MM-HH:MM in UTC, e.g. 09:00-17:00");
        }
        int from = minuteOfDay(text, 0);
        int to = minuteOfDay(text, 6);
        if (from == to) {
            throw new IllegalArgumentException("\"" + text + "\" starts and ends at the same time; leave hours_utc out for the whole day");
        }
        return new DailyWindow(text, from * 60, to * 60);
    }

    private static int minuteOfDay(String text, int at) {
        int h = twoDigits(text, at);
        int m = twoDigits(text, at + 3);
        if (h < 0 || m < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a window; write HH:MM-HH:MM in UTC, e.g. 09:00-17:00");
        }
        if (h > 23 || m > 59) {
            throw new IllegalArgumentException("\"" + text + "\": " + text.substring(at, at + 5)
                    + " is not a time of day; hours are 00-23 and minutes 00-59 (write 18:00-00:00 for 'until midnight')");
        }
        return h * 60 + m;
    }

    private static int twoDigits(String s, int at) {
        char a = s.charAt(at);
        char b = s.charAt(at + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            return -1;
        }
        return (a - '0') * 10 + (b - '0');
    }

    /** Whether the instant {@code epochSecond} falls in the window. */
    boolean contains(long epochSecond) {
        int s = (int) Math.floorMod(epochSecond, (long) DAY);
        return fromSecond < toSecond ? s >= fromSecond && s < toSecond : s >= fromSecond || s < toSecond;
    }
}
