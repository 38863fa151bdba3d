package io.pktstore.kv.cli;

import java.util.Locale;

/**
 * Parses human sizes given on the command line ("4096", "256k", "512m", "3g"), binary multiples.
 * Rejects anything else with a message that names the input, so a typo in a flag never becomes a
 * surprising arena size.
 */
public final class ByteSize {
    private ByteSize() {
    }

    /**
     * @param text a whole number optionally followed by k, m, g or t (case-insensitive, optional "b"/"ib")
     * @return the size in bytes
     * @throws IllegalArgumentException if the text is not such a size, is zero or negative, or overflows
     */
    public static long parse(final String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty size: give a number of bytes such as 256m or 1g");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = 0;
            }
        }
        final String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 4096, 256k, 512m, 3g)");
        }
        final long value;
        try {
            value = Long.parseLong(digits);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'", e);
        }
        if (value <= 0) {
            throw new IllegalArgumentException("size must be positive: '" + text + "'");
        }
        if (value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return value << shift;
    }
}
