package dev.pagewise.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one reset did. How long it took is not part of it: two reads of the clock cost more than zeroing a
 * small arena, on every reset, whether anyone looks or not. The JFR event {@code dev.pagewise.Reset} records
 * a reset's duration when a recording asks for it.
 *
 * @param strategy         how the reset found and restored the used memory
 * @param bytesZeroed      bytes written with zeros (kept resident)
 * @param bytesDecommitted bytes returned to the operating system
 * @param regions          contiguous regions zeroed or decommitted
 */
public record ResetReport(ResetStrategy strategy, long bytesZeroed, long bytesDecommitted, int regions) {

    /** The {@link #empty} report of each strategy, by ordinal: a reset with nothing to do allocates nothing. */
    private static final ResetReport[] EMPTY = Arrays.stream(ResetStrategy.values())
            .map(s -> new ResetReport(s, 0, 0, 0)).toArray(ResetReport[]::new);

    /**
     * Creates a report.
     *
     * @param strategy         how the reset found and restored the used memory
     * @param bytesZeroed      bytes written with zeros (kept resident)
     * @param bytesDecommitted bytes returned to the operating system
     * @param regions          contiguous regions zeroed or decommitted
     * @throws NullPointerException if {@code strategy} is {@code null}
     */
    public ResetReport {
        Objects.requireNonNull(strategy, "strategy");
    }

    /**
     * {@return a report for a reset that had nothing to do: no bytes, no regions}
     *
     * @param strategy the strategy to report
     * @throws NullPointerException if {@code strategy} is {@code null}
     */
    public static ResetReport empty(ResetStrategy strategy) {
        return EMPTY[Objects.requireNonNull(strategy, "strategy").ordinal()];
    }
}
