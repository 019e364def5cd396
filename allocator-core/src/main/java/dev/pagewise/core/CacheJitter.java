package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Places every block at a random offset within a window: each request takes up to {@code window} more bytes
 * from the inner allocator (rounded down to a multiple of the requested alignment), and the block is a slice
 * at a random multiple of the alignment inside it. Blocks that an allocator would put at the same offset in
 * every page or slot (same-sized objects from a slab, page-aligned buffers) then spread over the cache sets
 * instead of competing for a few, and a benchmark sees more than one layout. It is a performance and
 * measurement tool, not a defence: the offsets come from a {@link SplittableRandom}, seeded from
 * {@link SecureRandom} by {@link #over}, which a determined attacker reading addresses can model.
 *
 * <p>The inner allocator sees the enlarged request and frees the whole block when the slice is freed; the
 * wrapper maps each live slice to its block, so {@link #owns} and {@link #deallocate} take exactly the slices
 * it handed out. Blocks read zero if the inner allocator's do. As thread-safe as what it wraps (the offsets
 * are drawn under a lock); {@link #reset()} and {@link #close()} must not run while other threads use it.
 * The registry is a concurrent map; over an allocator that frees only in bulk it grows until the next reset.
 */
public final class CacheJitter extends AllocatorWrapper {

    private record Block(MemorySegment whole, long byteSize) {
    }

    private final long window;
    private final SplittableRandom random;
    private final Map<Long, Block> live = new ConcurrentHashMap<>();

    private CacheJitter(Allocator inner, long window, SplittableRandom random) {
        super(inner);
        this.window = window;
        this.random = random;
    }

    /**
     * {@return {@code inner}, its blocks placed at random offsets within {@code window} bytes, seeded from
     * {@link SecureRandom}}
     *
     * @param inner  the allocator to wrap
     * @param window the most bytes a block is moved by, and taken in addition from the inner allocator
     * @throws NullPointerException if {@code inner} is {@code null}
     * @throws IllegalArgumentException if {@code window} is negative or larger than 2<sup>40</sup>
     */
    public static CacheJitter over(Allocator inner, long window) {
        return create(inner, window, new SecureRandom().nextLong());
    }

    /**
     * {@return {@code arena}, its blocks placed at random offsets within {@code window} bytes, still an arena}
     *
     * @param <A>    the arena's type
     * @param arena  the arena to wrap
     * @param window the most bytes a block is moved by, and taken in addition from the arena
     * @throws NullPointerException if {@code arena} is {@code null}
     * @throws IllegalArgumentException if {@code window} is negative or larger than 2<sup>40</sup>
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<CacheJitter> over(A arena, long window) {
        return WrappedArena.of(over((Allocator) Objects.requireNonNull(arena, "arena"), window), arena);
    }

    /**
     * {@return {@code arena}, its blocks placed at random offsets within {@code window} bytes, still an arena
     * that resets}
     *
     * @param <A>    the arena's type
     * @param arena  the arena to wrap
     * @param window the most bytes a block is moved by, and taken in addition from the arena
     * @throws NullPointerException if {@code arena} is {@code null}
     * @throws IllegalArgumentException if {@code window} is negative or larger than 2<sup>40</sup>
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<CacheJitter> over(
            A arena, long window) {
        return WrappedArena.resettable(over((Allocator) Objects.requireNonNull(arena, "arena"), window), arena);
    }

    /**
     * {@return {@code inner}, its blocks placed at offsets drawn from a generator seeded with {@code seed}:
     * the same seed and the same requests give the same offsets} For tests and repeatable benchmarks.
     *
     * @param inner  the allocator to wrap
     * @param window the most bytes a block is moved by, and taken in addition from the inner allocator
     * @param seed   the seed of the offsets
     * @throws NullPointerException if {@code inner} is {@code null}
     * @throws IllegalArgumentException if {@code window} is negative or larger than 2<sup>40</sup>
     */
    public static CacheJitter seeded(Allocator inner, long window, long seed) {
        return create(inner, window, seed);
    }

    private static CacheJitter create(Allocator inner, long window, long seed) {
        Objects.requireNonNull(inner, "inner");
        if (window < 0 || window > 1L << 40) {
            throw new IllegalArgumentException("window must be between 0 and 2^40 bytes: " + window);
        }
        return new CacheJitter(inner, window, new SplittableRandom(seed));
    }

    /** {@return the most bytes a block is moved by} */
    public long window() {
        return window;
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        Checks.checkRequest(byteSize, byteAlignment);
        long steps = window / byteAlignment;
        long wholeSize;
        try {
            // an empty block still takes a byte, so that its address lies inside its own block and no other
            wholeSize = Math.addExact(byteSize, steps * byteAlignment + (byteSize == 0 ? 1 : 0));
        } catch (ArithmeticException e) {
            if (orThrow) {
                throw new AllocationFailedException("CacheJitter", byteSize, byteAlignment, -1, capacity());
            }
            return null;
        }
        MemorySegment whole = innerAllocate(wholeSize, byteAlignment, orThrow);
        if (whole == null) {
            return null;
        }
        long offset;
        synchronized (random) {
            offset = random.nextLong(steps + 1) * byteAlignment;
        }
        MemorySegment block = whole.asSlice(offset, byteSize);
        live.put(block.address(), new Block(whole, byteSize));
        return block;
    }

    /**
     * Frees the block this slice was cut from.
     *
     * @throws IllegalArgumentException if the inner allocator frees individually and {@code segment} is not a
     *         live block of this wrapper, exactly as handed out; nothing changes then
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        Block block = live.get(segment.address());
        if (block == null || block.byteSize() != segment.byteSize() || !live.remove(segment.address(), block)) {
            if (inner.freesIndividually()) {
                throw new IllegalArgumentException("not a live block of this CacheJitter: 0x"
                        + Long.toHexString(segment.address()) + " (" + segment.byteSize() + " bytes)");
            }
            inner.deallocate(segment); // ignored there, as single frees are
            return;
        }
        inner.deallocate(block.whole());
    }

    /** {@inheritDoc} Here: a slice this wrapper handed out, exactly, and has not freed. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        Block block = live.get(segment.address());
        return block != null && block.byteSize() == segment.byteSize() && inner.owns(block.whole());
    }

    /**
     * Resets the inner allocator, then forgets every block. If the inner allocator cannot reset, nothing
     * changes.
     *
     * @throws UnsupportedOperationException if the inner allocator is not {@link Resettable}
     */
    @Override
    public ResetReport reset() {
        ResetReport report = resettable().reset();
        live.clear();
        return report;
    }

    /** Forgets every block and closes the inner allocator. */
    @Override
    public void close() {
        try {
            live.clear();
        } finally {
            super.close();
        }
    }
}
