package dev.pagewise.core.internal;

/** Formats byte counts for messages: {@code 512 B}, {@code 4.0 KiB}, {@code 1.0 TiB}. */
public final class ByteSizes {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    /**
     * {@return {@code bytes} in the largest binary unit that keeps the value at least 1} Below 1 KiB, in bytes
     * without a fraction; above, with one decimal.
     *
     * @param bytes the byte count; negative counts are formatted alike
     */
    public static String format(long bytes) {
        if (bytes < 1024 && bytes > -1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
