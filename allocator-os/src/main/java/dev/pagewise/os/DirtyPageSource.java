package dev.pagewise.os;

/**
 * How {@link MmapBacked#resetPages} learns which pages hold data. {@link #best()} picks the most
 * precise source this process can use; a range may be forced onto a weaker one for tests or diagnosis.
 */
public enum DirtyPageSource {
    /** userfaultfd asynchronous write-protection plus {@code PAGEMAP_SCAN}: exactly the pages written since the last reset. */
    TRACK_WRITES,
    /** The {@code PAGEMAP_SCAN} ioctl (Linux 6.7+): resident private pages, found by the kernel in one walk. */
    PAGEMAP_SCAN,
    /** 8-byte entries of {@code /proc/self/pagemap} read with {@code pread}: present and exclusively mapped pages. */
    PAGEMAP_READ,
    /** No knowledge: zero the first {@code keepResident} bytes, release the rest. */
    NONE;

    /** {@return the most precise source available without write tracking: scan, else read, else none} */
    public static DirtyPageSource best() {
        if (PageMapScan.isSupported()) {
            return PAGEMAP_SCAN;
        }
        return PageMapReader.isSupported() ? PAGEMAP_READ : NONE;
    }

    /** {@return whether this process can use this source} */
    public boolean isAvailable() {
        return switch (this) {
            case TRACK_WRITES -> PageMapScan.isSupported() && WriteTracker.unavailableReason() == null;
            case PAGEMAP_SCAN -> PageMapScan.isSupported();
            case PAGEMAP_READ -> PageMapReader.isSupported();
            case NONE -> true;
        };
    }
}
