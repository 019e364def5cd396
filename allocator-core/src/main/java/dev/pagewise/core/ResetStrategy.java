package dev.pagewise.core;

/** What a reset did to restore memory to zero, as {@link ResetReport#strategy()} names it. */
public enum ResetStrategy {
    /** Nothing: the range was unused, or the policy is {@link ResetPolicy#noZeroing()}. */
    NONE,
    /** Wrote zeros over the used bytes. */
    ZERO,
    /** Returned every used page to the operating system. */
    DECOMMIT,
    /** Zeroed the first {@code keepResident} bytes and released the rest, knowing nothing of which pages hold data. */
    PREFIX,
    /** Found the pages that hold data with Linux's {@code PAGEMAP_SCAN} ioctl. */
    PAGEMAP_SCAN,
    /** Found the pages that hold data by reading {@code /proc/self/pagemap} entries. */
    PAGEMAP_READ,
    /** Found the pages written since the last reset through userfaultfd write-protection and {@code PAGEMAP_SCAN}. */
    TRACK_WRITES
}
