package dev.pagewise.os.linux;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads {@code /proc/self/pagemap} entries with {@code pread}: the fallback for kernels without
 * {@code PAGEMAP_SCAN}. Each page has one 8-byte entry: bit 63 present, 62 swapped, 61 file or shared,
 * 56 exclusively mapped, 0-54 the frame number (zero for unprivileged readers). A page that was only
 * read maps the shared zero page and is present but not exclusive; a written private page is present
 * and exclusive. A reader holds its own buffer: it is confined to one thread.
 */
final class PageMapReader {

    public static final long PRESENT = 1L << 63;
    public static final long SWAPPED = 1L << 62;
    public static final long FILE_OR_SHARED = 1L << 61;
    public static final long EXCLUSIVE = 1L << 56;

    /** Entries read per {@code pread}. */
    public static final int BATCH = 4096;

    private static final int FD;
    private static final String REASON;

    static {
        int fd = -1;
        String reason = null;
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            reason = "not Linux";
        } else {
            try {
                fd = Libc.open("/proc/self/pagemap", Libc.O_RDONLY | Libc.O_CLOEXEC);
            } catch (RuntimeException | LinkageError e) {
                reason = e.getMessage();
            }
        }
        FD = fd;
        REASON = reason;
    }

    private final MemorySegment buffer = Arena.ofAuto().allocate(JAVA_LONG, BATCH);
    private long first;
    private int count;

    /** {@return whether {@code /proc/self/pagemap} can be read} */
    public static boolean isSupported() {
        return REASON == null;
    }

    /** {@return why the pagemap cannot be read, or {@code null}} */
    public static String unsupportedReason() {
        return REASON;
    }

    /**
     * Reads the entries of at most {@link #BATCH} pages starting at the page that holds {@code address}.
     *
     * @return the number of entries read
     */
    public int read(long address, long pages) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("pagemap unavailable: " + REASON);
        }
        int n = (int) Math.min(pages, BATCH);
        first = address / Libc.PAGE_SIZE;
        long bytes = Libc.pread(FD, buffer, n * 8L, first * 8);
        count = (int) (bytes / 8);
        return count;
    }

    /** {@return entry {@code i} of the last read} */
    public long entry(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + count);
        }
        return buffer.getAtIndex(JAVA_LONG, i);
    }

    /** {@return the pagemap entry of the page that holds {@code address}} */
    public static long entryOf(long address) {
        PageMapReader reader = new PageMapReader();
        reader.read(address, 1);
        return reader.entry(0);
    }
}
