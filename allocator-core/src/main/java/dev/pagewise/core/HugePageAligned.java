package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Aligns every block of at least a huge page to a huge page, so that the operating system can back it with
 * whole huge pages: a 4 MiB block at a 2 MiB boundary spans two huge pages, the same block 4 KiB off spans
 * three, two of them shared with its neighbours. Smaller blocks keep the alignment they asked for.
 *
 * <p>The alignment is only half of it: the range under the allocator must start on a huge page and ask
 * for huge pages, which is the backing's business ({@code MapOptions.withHugePages()} in
 * {@code dev.pagewise.os} maps a 2 MiB-aligned region with transparent huge pages). The raised alignment
 * costs up to a huge page of padding per large block in an arena. Nothing is zeroed or detected beyond what
 * the inner allocator does. As thread-safe as what it wraps.
 */
public final class HugePageAligned extends AllocatorWrapper {

    /** The huge page of x86-64 and of aarch64 with 4 KiB base pages: 2 MiB. */
    public static final long DEFAULT_HUGE_PAGE_SIZE = 2L << 20;

    private final long hugePageSize;

    private HugePageAligned(Allocator inner, long hugePageSize) {
        super(inner);
        this.hugePageSize = hugePageSize;
    }

    /**
     * {@return {@code inner}, its blocks of {@code hugePageSize} bytes or more aligned to {@code hugePageSize}}
     *
     * @param inner        the allocator to wrap
     * @param hugePageSize the huge page size, a power of two
     * @throws NullPointerException if {@code inner} is {@code null}
     * @throws IllegalArgumentException if {@code hugePageSize} is not a positive power of two
     */
    public static HugePageAligned over(Allocator inner, long hugePageSize) {
        Objects.requireNonNull(inner, "inner");
        if (hugePageSize <= 0 || Long.bitCount(hugePageSize) != 1) {
            throw new IllegalArgumentException("hugePageSize must be a positive power of two: " + hugePageSize);
        }
        return new HugePageAligned(inner, hugePageSize);
    }

    /**
     * {@return {@code inner}, its blocks of 2 MiB or more aligned to 2 MiB}
     *
     * @param inner the allocator to wrap
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public static HugePageAligned over(Allocator inner) {
        return over(inner, DEFAULT_HUGE_PAGE_SIZE);
    }

    /**
     * {@return {@code arena}, its blocks of 2 MiB or more aligned to 2 MiB, still an arena}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<HugePageAligned> over(A arena) {
        return WrappedArena.of(over((Allocator) Objects.requireNonNull(arena, "arena")), arena);
    }

    /**
     * {@return {@code arena}, its blocks of 2 MiB or more aligned to 2 MiB, still an arena that resets}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<HugePageAligned> over(A arena) {
        return WrappedArena.resettable(over((Allocator) Objects.requireNonNull(arena, "arena")), arena);
    }

    /** {@return the huge page size: the threshold and the alignment of large blocks} */
    public long hugePageSize() {
        return hugePageSize;
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        // a bad alignment is left for the inner allocator to reject, naming what the caller passed
        boolean raise = byteSize >= hugePageSize && byteAlignment > 0 && byteAlignment < hugePageSize
                && Long.bitCount(byteAlignment) == 1;
        return innerAllocate(byteSize, raise ? hugePageSize : byteAlignment, orThrow);
    }
}
