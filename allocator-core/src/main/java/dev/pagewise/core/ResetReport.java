package dev.pagewise.core;

/**
 * What one reset did.
 *
 * @param strategy         the strategy that ran, e.g. {@code "pagemap-scan"}, {@code "zero"}, {@code "decommit"}
 * @param bytesZeroed      bytes written with zeros (kept resident)
 * @param bytesDecommitted bytes returned to the operating system
 * @param regions          contiguous regions zeroed or decommitted
 * @param nanos            wall-clock time the reset took
 */
public record ResetReport(String strategy, long bytesZeroed, long bytesDecommitted, int regions, long nanos) {

    /** {@return a report for a reset that had nothing to do} */
    public static ResetReport empty(String strategy) {
        return new ResetReport(strategy, 0, 0, 0, 0);
    }
}
