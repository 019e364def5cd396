package dev.pagewise.os;

import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;
import dev.pagewise.os.linux.Libc;

import java.lang.foreign.MemorySegment;

/**
 * An {@code mlock}ed region for secrets: its pages are never swapped out, optionally left out of core
 * dumps ({@code MADV_DONTDUMP}), and zeroed before they are unmapped on {@link #close()}.
 *
 * <p>It fails closed: if {@code mlock} fails (for example over {@code RLIMIT_MEMLOCK} without
 * {@code CAP_IPC_LOCK}), {@link #map} throws with the errno and nothing stays mapped; there is no
 * unlocked fallback. {@link #releasePages} zeroes instead of returning memory (locked pages cannot be
 * discarded), so the region stays locked. Thread-safe.
 */
public final class Locked implements OsBacked {

    private final MmapBacked inner;
    private final Pins pins = new Pins("Locked");

    private Locked(MmapBacked inner) {
        this.inner = inner;
    }

    /**
     * Maps, faults in and locks {@code byteSize} bytes.
     *
     * @param dontDump also exclude the region from core dumps
     * @throws OsException if {@code mmap}, {@code mlock} or {@code madvise} fails
     */
    public static Locked map(long byteSize, boolean dontDump) {
        MmapBacked region = MmapBacked.map(byteSize, MapOptions.DEFAULT.withPopulate());
        long base = region.segment().address();
        long size = region.byteSize();
        try {
            Libc.mlock(base, size, () -> "mlock(0x" + Long.toHexString(base) + ", " + ByteSizes.format(size) + ")");
            if (dontDump) {
                Libc.madvise(base, size, Libc.MADV_DONTDUMP, () -> "madvise(0x" + Long.toHexString(base) + ", "
                        + ByteSizes.format(size) + ", MADV_DONTDUMP)");
            }
        } catch (OsException e) {
            region.close();
            throw e;
        }
        return new Locked(region);
    }

    @Override
    public MemorySegment segment() {
        return inner.segment();
    }

    @Override
    public long byteSize() {
        return inner.byteSize();
    }

    @Override
    public long committed() {
        return inner.committed();
    }

    @Override
    public void commit(long offset, long length) {
        inner.commit(offset, length);
    }

    @Override
    public long pageSize() {
        return inner.pageSize();
    }

    /** Zeroes the pages; they stay locked in memory. */
    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, byteSize(), pageSize());
        inner.segment().asSlice(offset, length).fill((byte) 0);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        return inner.protect(offset, length, protection);
    }

    @Override
    public void pin() {
        pins.pin();
    }

    @Override
    public void unpin() {
        pins.unpin();
    }

    /**
     * Zeroes the whole region, then unmaps it (which unlocks it).
     *
     * @throws IllegalStateException if pinned or already closed; nothing is zeroed then
     */
    @Override
    public void close() {
        pins.close();
        inner.segment().fill((byte) 0);
        inner.close();
    }

    @Override
    public String toString() {
        return "Locked[" + inner + "]";
    }
}
