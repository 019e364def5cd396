package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link FixedRange} over native memory from a shared {@link Arena}: no system calls of its own,
 * the cheap twin of an mmap'd range for small regions and tests. It is committed and zeroed from the
 * start, {@link #commit} only checks its arguments, and it is thread-safe.
 */
public final class NativeBacked implements FixedRange {

    /** The alignment of the region's base address. */
    public static final long BASE_ALIGNMENT = 4096;

    private final Arena arena;
    private final MemorySegment segment;
    private final Pins pins;

    private NativeBacked(long byteSize) {
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(byteSize, BASE_ALIGNMENT);
        this.pins = new Pins("NativeBacked(" + ByteSizes.format(byteSize) + ")");
    }

    /**
     * {@return a new zeroed region of {@code byteSize} bytes, aligned to {@value #BASE_ALIGNMENT}}
     *
     * @throws IllegalArgumentException if {@code byteSize} is negative
     * @throws OutOfMemoryError if the native allocation fails
     */
    public static NativeBacked allocate(long byteSize) {
        Checks.requireNonNegative(byteSize, "byteSize");
        return new NativeBacked(byteSize);
    }

    @Override
    public MemorySegment segment() {
        return segment;
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
        pins.checkOpen();
    }

    @Override
    public void pin() {
        pins.pin();
    }

    @Override
    public void unpin() {
        pins.unpin();
    }

    @Override
    public void close() {
        pins.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "NativeBacked[" + ByteSizes.format(byteSize()) + " at 0x" + Long.toHexString(segment.address()) + "]";
    }
}
