package dev.pagewise.os.linux;

import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsException;

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

    static {
        Restricted.ownSegment(Locked.class, range -> Restricted.segmentOf(((Locked) range).inner));
    }

    private final MmapBacked inner;
    private final Lifetime lifetime;

    private Locked(MmapBacked inner) {
        this.inner = inner;
        this.lifetime = Lifetime.create("Locked[" + inner + "]", () -> {
            try {
                inner.zero(0, inner.byteSize());
            } finally {
                inner.close();
            }
        });
    }

    /**
     * Maps, faults in and locks {@code byteSize} bytes, rounded up to the page size.
     *
     * @param byteSize the size of the region, in bytes
     * @param dontDump also exclude the region from core dumps
     * @return the locked region, open until closed
     * @throws IllegalArgumentException if {@code byteSize} is not positive
     * @throws OsException if {@code mmap}, {@code mlock} or {@code madvise} fails
     */
    public static Locked map(long byteSize, boolean dontDump) {
        MmapBacked region = MmapBacked.map(byteSize, MapOptions.DEFAULT.withPopulate());
        long base = region.base();
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
        return Restricted.segment(lifetime, inner.segment());
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
        lifetime.checkAlive();
        inner.commit(offset, length);
    }

    @Override
    public void zero(long offset, long length) {
        lifetime.checkAlive();
        inner.zero(offset, length);
    }

    @Override
    public long pageSize() {
        return inner.pageSize();
    }

    /** Zeroes the pages; they stay locked in memory. */
    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, byteSize(), pageSize());
        lifetime.checkAlive();
        inner.zero(offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Restricted.check("OsBacked.protect(long, long, Protection)");
        lifetime.checkAlive();
        return inner.protect(offset, length, protection);
    }

    /** {@inheritDoc} Here always {@code mprotect}: Linux installs no guard pages in locked mappings. */
    @Override
    public void guard(long offset, long length) {
        Restricted.check("OsBacked.guard(long, long)");
        lifetime.checkAlive();
        inner.guard(offset, length);
    }

    @Override
    public void unguard(long offset, long length) {
        Restricted.check("OsBacked.unguard(long, long)");
        lifetime.checkAlive();
        inner.unguard(offset, length);
    }

    /** {@inheritDoc} Closing it zeroes the whole region, then unmaps it (which unlocks it). */
    @Override
    public Lifetime lifetime() {
        return lifetime;
    }

    @Override
    public String toString() {
        return lifetime.name();
    }
}
