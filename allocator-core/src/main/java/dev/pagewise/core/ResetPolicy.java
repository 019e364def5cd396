package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;

/**
 * How an arena restores its used memory when it is reset. The policy alone decides: it picks among the
 * capabilities the range offers ({@link FixedRange#zero}, {@link OsBacked#releasePages},
 * {@link OsBacked#pageScanner()}) and reports what it did as a {@link ResetStrategy}.
 *
 * <p>Every policy but {@link #noZeroing()} leaves every byte of {@code [offset, offset + length)}
 * reading zero, which is what lets allocation skip zeroing. A policy never touches a byte outside the
 * range it is given. Policies are stateless and thread-safe; one may serve many arenas.
 */
@FunctionalInterface
public interface ResetPolicy {

    /** The {@code keepResident} budget of {@link #defaultPolicy()}: 4 MiB. */
    long DEFAULT_KEEP_RESIDENT = 4L << 20;

    /**
     * Restores {@code [offset, offset + length)} of {@code region}. The caller guarantees that the bytes
     * of the region past {@code offset + length} already read zero, so a policy may zero them again or
     * release their pages (to bound what stays resident), but it touches nothing outside {@code region}.
     *
     * @param region the range to restore
     * @param offset the start of the used part, from the start of the region
     * @param length the length of the used part, in bytes
     * @return what the reset did
     * @throws IllegalArgumentException if the part lies outside the region
     * @throws IllegalStateException if the region is closed, or holds protected pages there
     */
    ResetReport reset(FixedRange region, long offset, long length);

    /** {@return {@code keepResident(}{@value #DEFAULT_KEEP_RESIDENT}{@code )}} */
    static ResetPolicy defaultPolicy() {
        return keepResident(DEFAULT_KEEP_RESIDENT);
    }

    /** {@return a policy that writes zeros over the whole used range ({@link ResetStrategy#ZERO}): cheap for small, dense use} */
    static ResetPolicy zeroAll() {
        return ResetPolicies.ZERO_ALL;
    }

    /**
     * {@return a policy that returns every used page to the operating system ({@link ResetStrategy#DECOMMIT})}
     * Over a range that is not {@link OsBacked} it zeroes instead, and says so in its report.
     */
    static ResetPolicy decommitAll() {
        return ResetPolicies.DECOMMIT_ALL;
    }

    /**
     * {@return a policy that keeps up to {@code bytes} of the range resident, zeroed, and returns the rest
     * to the operating system}
     * Over an {@link OsBacked} range with a {@linkplain OsBacked#pageScanner() page scanner} (Linux's
     * pagemap) it zeroes only the used pages that hold data. The committed pages past the used bytes, which
     * read zero already, count against the budget too: kept resident while it lasts, never zeroed again,
     * released past it; they are scanned only when the budget may not cover them and the used bytes together
     * (in the same walk as the used pages, when those are scanned). Without a scanner it zeroes the first
     * {@code bytes} and releases the rest ({@link ResetStrategy#PREFIX}), and does not look past the used bytes.
     * A used range of at most {@code min(bytes, 64 KiB)} is zeroed with one memset instead, which is cheaper
     * than any system call, when the budget covers every page that can be resident from its start on.
     * <p>Pagewise's arenas and pools remember where their range's resident pages end, as their resets left
     * them: their resets walk the pages past the used bytes only that far, not to the end of the committed
     * prefix. Called directly, the policy cannot know: a reset of at most {@code min(bytes, 64 KiB)} is then
     * always one memset that does not look past its used bytes (until the next larger reset up to that much
     * more than {@code bytes} can stay resident), and a larger one walks the whole committed prefix. When a scan
     * finds the used pages mostly (three quarters or more) written, the following resets within the budget
     * zero them with one memset instead of scanning them, scanning in full again after 16 resets, then after
     * twice as many each time a scan finds them written again, up to 256; their reports say
     * {@link ResetStrategy#ZERO}. The policy is thread-safe and may be shared; it then adapts to
     * what the resets of all its arenas find.
     *
     * @param bytes how many bytes of an {@link OsBacked} range a reset may keep resident, zeroed, rounded
     *              down to whole pages; the rest of the used pages is released
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static ResetPolicy keepResident(long bytes) {
        Checks.requireNonNegative(bytes, "bytes");
        return new ResetPolicies.KeepResident(bytes, false);
    }

    /**
     * {@return like {@link #keepResident(long)}, but zeroes only the pages written since the previous reset,
     * found through the range's write tracking (on Linux, userfaultfd write-protection)}
     * Tracking starts at the first reset. Over a range that cannot track writes it behaves as
     * {@code keepResident}, and its reports name the strategy that ran. Its scanner must see the whole
     * committed prefix, so it never uses what an arena knows of where the resident pages end: its resets walk
     * that whole prefix, and its small resets are always one memset, as when called directly.
     *
     * @param bytes how many bytes of an {@link OsBacked} range a reset may keep resident, zeroed, rounded
     *              down to whole pages; the rest of the used pages is released
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static ResetPolicy trackWrites(long bytes) {
        Checks.requireNonNegative(bytes, "bytes");
        return new ResetPolicies.KeepResident(bytes, true);
    }

    /**
     * {@return a policy that does nothing: memory handed out after a reset holds the previous
     * generation's bytes} Only for trusted code that initialises everything it allocates.
     *
     * <p>This method is <em>restricted</em>: an arena with this policy shows one generation's bytes to the
     * next, so it may be called only from a module with native access.
     *
     * @throws IllegalCallerException if the caller's module has no native access
     */
    static ResetPolicy noZeroing() {
        Restricted.check("ResetPolicy.noZeroing()");
        return ResetPolicies.NO_ZEROING;
    }
}
