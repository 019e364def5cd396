package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

/**
 * How an arena restores its used memory when it is reset.
 *
 * <p>Every policy but {@link #noZeroing()} leaves every byte of {@code [offset, offset + length)}
 * reading zero, which is what lets allocation skip zeroing. Policies are stateless and thread-safe;
 * one may serve many arenas.
 */
@FunctionalInterface
public interface ResetPolicy {

    /** The {@code keepResident} budget of {@link #defaultPolicy()}: 4 MiB. */
    long DEFAULT_KEEP_RESIDENT = 4L << 20;

    /**
     * Restores {@code [offset, offset + length)} of {@code region}. The caller guarantees that bytes
     * past {@code offset + length} already read zero, so a policy may round the end up to a page.
     *
     * @return what the reset did
     */
    ResetReport reset(FixedRange region, long offset, long length);

    /** {@return {@code keepResident(}{@value #DEFAULT_KEEP_RESIDENT}{@code )}} */
    static ResetPolicy defaultPolicy() {
        return keepResident(DEFAULT_KEEP_RESIDENT);
    }

    /** {@return a policy that writes zeros over the whole used range: cheap for small, dense use} */
    static ResetPolicy zeroAll() {
        return ResetPolicies.ZERO_ALL;
    }

    /**
     * {@return a policy that returns every used page to the operating system} Over a range that is
     * not {@link OsBacked} it zeroes instead, and says so in its report.
     */
    static ResetPolicy decommitAll() {
        return ResetPolicies.DECOMMIT_ALL;
    }

    /**
     * {@return a policy that keeps up to {@code bytes} of used memory resident, zeroed, and returns
     * the rest to the operating system}
     * Over an {@link OsBacked} range it delegates to {@link OsBacked#resetPages}, which on Linux
     * finds the pages really written through the pagemap and zeroes only those. A used range of at most
     * 64 KiB that fits the budget is zeroed with one memset instead, which is cheaper than the scan.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static ResetPolicy keepResident(long bytes) {
        Checks.requireNonNegative(bytes, "keepResident");
        return new ResetPolicies.KeepResident(bytes, false);
    }

    /**
     * {@return like {@link #keepResident(long)}, but asks the range to track writes precisely (on
     * Linux, userfaultfd write-protection), so a reset visits only pages written since the last one}
     * A range that cannot track writes falls back to {@code keepResident} and says why in its report.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static ResetPolicy trackWrites(long bytes) {
        Checks.requireNonNegative(bytes, "keepResident");
        return new ResetPolicies.KeepResident(bytes, true);
    }

    /**
     * {@return a policy that does nothing: memory handed out after a reset holds the previous
     * generation's bytes} Only for trusted code that initialises everything it allocates; never for
     * memory that holds one tenant's data and is then handed to another.
     */
    static ResetPolicy noZeroing() {
        return ResetPolicies.NO_ZEROING;
    }
}
