package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.ByteSizes;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts guard bytes before and after every block and checks them on free and on {@link #verify()}: an
 * overrun (or underrun) throws {@link MemoryCorruptionException} naming the block and how far it ran.
 * FFM already bounds-checks Java access through the returned segment; canaries catch native code, and
 * Java code that widened a segment with {@code reinterpret}. As thread-safe as what it wraps.
 */
public final class Canary extends AllocatorWrapper {

    /** The canary byte. */
    public static final byte CANARY = (byte) 0xCA;
    /** Guard bytes on each side, at least; more when the alignment asks for it. */
    public static final long GUARD = 16;

    private record Block(MemorySegment whole, long guard) {
    }

    private final Map<Long, Block> live = new ConcurrentHashMap<>();

    private Canary(Allocator inner) {
        super(inner);
    }

    /**
     * {@return {@code inner} with every block guarded}
     *
     * @param inner the allocator to guard
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public static Canary over(Allocator inner) {
        return new Canary(java.util.Objects.requireNonNull(inner, "inner"));
    }

    /**
     * {@return {@code arena} with every block guarded, still an arena}
     *
     * @param <A>   the arena's type
     * @param arena the arena to guard
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<Canary> over(A arena) {
        return WrappedArena.of(over((Allocator) java.util.Objects.requireNonNull(arena, "arena")), arena);
    }

    /**
     * {@return {@code arena} with every block guarded, still an arena that resets}
     *
     * @param <A>   the arena's type
     * @param arena the arena to guard
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<Canary> over(A arena) {
        return WrappedArena.resettable(over((Allocator) java.util.Objects.requireNonNull(arena, "arena")), arena);
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        dev.pagewise.core.internal.Checks.checkRequest(byteSize, byteAlignment);
        long guard = Math.max(GUARD, byteAlignment);
        long wholeSize;
        try {
            wholeSize = Math.addExact(byteSize, Math.multiplyExact(2, guard));
        } catch (ArithmeticException e) {
            // Valid but impossible: no allocator has room for it with its guards.
            if (orThrow) {
                throw new AllocationFailedException("Canary", byteSize, byteAlignment, -1, capacity());
            }
            return null;
        }
        MemorySegment whole = innerAllocate(wholeSize, byteAlignment, orThrow);
        if (whole == null) {
            return null;
        }
        whole.asSlice(0, guard).fill(CANARY);
        whole.asSlice(guard + byteSize, guard).fill(CANARY);
        MemorySegment block = whole.asSlice(guard, byteSize);
        live.put(block.address(), new Block(whole, guard));
        return block;
    }

    /**
     * Checks the block's canaries, stops tracking it and frees it to the inner allocator.
     *
     * @throws MemoryCorruptionException if a canary changed; the block is then not freed
     * @throws IllegalArgumentException if the inner allocator frees individually and the block was not
     *         allocated here or was already freed; nothing changes then
     */
    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        Block block = live.get(segment.address());
        if (block == null || block.whole().byteSize() - 2 * block.guard() != segment.byteSize()) {
            if (inner.freesIndividually()) {
                throw new IllegalArgumentException("not a live block of this Canary: 0x"
                        + Long.toHexString(segment.address()) + " (" + segment.byteSize() + " bytes)");
            }
            inner.deallocate(segment); // ignored there, as single frees are
            return;
        }
        check(segment.address(), block);
        live.remove(segment.address());
        inner.deallocate(block.whole());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the block's canaries are checked first; then, where the inner allocator resizes the guarded block
     * in place, the trailing canary moves to the new end (the bytes of the old one inside the block are zeroed);
     * otherwise the block moves to a new guarded block and the old one is checked and freed, as by
     * {@link #deallocate}.
     *
     * @throws MemoryCorruptionException if a canary changed; nothing changes then
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        Resizing.check(this, segment, newSize);
        check(segment.address(), live.get(segment.address()));
        MemorySegment resized = resizeInPlace(segment, newSize);
        return resized != null ? resized : Resizing.move(this, segment, newSize);
    }

    @Override
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        Block block = live.get(segment.address());
        check(segment.address(), block);
        long guard = block.guard();
        long oldSize = segment.byteSize();
        if (newSize > Long.MAX_VALUE - 2 * guard) {
            return null;
        }
        MemorySegment whole = Resizing.inPlace(inner, block.whole(), newSize + 2 * guard);
        if (whole == null) {
            return null;
        }
        if (newSize > oldSize) {
            Zeroing.zero(whole, guard + oldSize, Math.min(newSize - oldSize, guard));
        }
        whole.asSlice(guard + newSize, guard).fill(CANARY);
        live.put(segment.address(), new Block(whole, guard));
        return whole.asSlice(guard, newSize);
    }

    /** {@return whether shrinking {@code segment}, a live block, in place gives bytes back to the inner allocator} */
    boolean shrinkFrees(MemorySegment segment) {
        Block block = live.get(segment.address());
        return block == null || Resizing.shrinkFrees(inner, block.whole());
    }

    @Override
    boolean zeroes() {
        return Resizing.zeroes(inner);
    }

    /**
     * Checks every live block.
     *
     * @throws MemoryCorruptionException for the first block whose canaries changed
     */
    public void verify() {
        live.forEach(this::check);
    }

    private void check(long address, Block block) {
        MemorySegment whole = block.whole();
        long guard = block.guard();
        long size = whole.byteSize() - 2 * guard;
        long after = 0;
        for (long i = guard - 1; i >= 0; i--) {
            if (whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, guard + size + i) != CANARY) {
                after = i + 1;
                break;
            }
        }
        long before = 0;
        for (long i = 0; i < guard; i++) {
            if (whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != CANARY) {
                before = guard - i;
                break;
            }
        }
        if (after > 0 || before > 0) {
            throw new MemoryCorruptionException("block at 0x" + Long.toHexString(address) + " ("
                    + ByteSizes.format(size) + ") " + (after > 0 ? "overrun by " + after + " byte(s)" : "")
                    + (after > 0 && before > 0 ? " and " : "")
                    + (before > 0 ? "underrun by " + before + " byte(s)" : ""), address);
        }
    }

    /**
     * Verifies every live block, resets the inner allocator, then forgets them. If the inner allocator cannot
     * reset, nothing changes.
     *
     * @throws UnsupportedOperationException if the inner allocator is not {@link Resettable}
     * @throws MemoryCorruptionException for the first block whose canaries changed; nothing is reset then
     */
    @Override
    public ResetReport reset() {
        Resettable target = resettable();
        verify();
        ResetReport report = target.reset();
        live.clear();
        return report;
    }

    /** {@inheritDoc} Here: a block this canary handed out and has not freed. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        Block block = live.get(segment.address());
        return block != null && block.whole().byteSize() - 2 * block.guard() == segment.byteSize()
                && inner.owns(block.whole());
    }
}
