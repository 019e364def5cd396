package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link FixedRange} over native memory from a shared {@link Arena}: no system calls of its own,
 * the cheap twin of an mmap'd range for small regions and tests. It is committed and zeroed from the
 * start, {@link #commit} only checks its arguments, and it is thread-safe.
 */
public final class NativeBacked implements FixedRange {

    static {
        Restricted.ownSegment(NativeBacked.class, range -> ((NativeBacked) range).segment);
    }

    /** The alignment of the region's base address. */
    public static final long BASE_ALIGNMENT = 4096;

    private final MemorySegment segment;
    private final Lifetime lifetime;

    private NativeBacked(long byteSize) {
        Arena arena = Arena.ofShared();
        this.segment = arena.allocate(byteSize, BASE_ALIGNMENT);
        this.lifetime = Lifetime.create("NativeBacked[" + ByteSizes.format(byteSize) + " at 0x"
                + Long.toHexString(segment.address()) + "]", arena::close);
    }

    /**
     * {@return a new zeroed region of {@code byteSize} bytes, aligned to {@link #BASE_ALIGNMENT} (4096 bytes)}
     *
     * @param byteSize the size of the region, in bytes
     * @throws IllegalArgumentException if {@code byteSize} is negative
     * @throws OutOfMemoryError if the native allocation fails
     */
    public static NativeBacked allocate(long byteSize) {
        Checks.requireNonNegative(byteSize, "byteSize");
        return new NativeBacked(byteSize);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every byte of this range is committed and writable, but the method is restricted all the same,
     * as for every range: the caller holds raw memory that allocators hand out to others.
     */
    @Override
    public MemorySegment segment() {
        return Restricted.segment(lifetime, segment);
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public long committed() {
        return segment.byteSize();
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, segment.byteSize());
        lifetime.checkAlive();
    }

    @Override
    public void zero(long offset, long length) {
        Checks.checkRange(offset, length, segment.byteSize());
        lifetime.checkAlive();
        Zeroing.zero(segment, offset, length);
    }

    @Override
    public Lifetime lifetime() {
        return lifetime;
    }

    @Override
    public String toString() {
        return lifetime.name();
    }
}
