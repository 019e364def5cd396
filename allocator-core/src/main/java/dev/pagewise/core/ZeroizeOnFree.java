package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import java.lang.invoke.VarHandle;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wipes every block with zeros when it is freed, and every live block when the wrapper is reset or closed,
 * before the inner allocator gets the memory back: for keys, passwords and personal data, so that what a
 * block held does not outlive it in memory the process keeps (the next user of the slot, a heap dump,
 * a core file). The wipe covers the block's usable size, not only the bytes asked for: over a {@link Slab},
 * {@link HardenedSlab} or {@link SizeClassed} the whole slot of its class, slack included, which native code
 * may have written; over any other allocator the block's own bytes.
 *
 * <p>Unlike {@link PoisonOnFree}, a debugging aid whose pattern makes a read after free stand out, this is a
 * data-protection measure: it writes zeros, also on reset and close, and promises the stores happen.
 * As thread-safe as what it wraps, except {@link #reset()} and {@link #close()}, which must not run while
 * other threads use the allocator. Live blocks are tracked in a concurrent map; over an allocator that frees
 * only in bulk it grows until the next reset.
 */
public final class ZeroizeOnFree extends AllocatorWrapper {

    /** Live blocks by address, each as the usable memory its wipe covers. */
    private final Map<Long, MemorySegment> live = new ConcurrentHashMap<>();

    private ZeroizeOnFree(Allocator inner) {
        super(inner);
    }

    /**
     * {@return {@code inner}, its blocks wiped on free, reset and close}
     *
     * @param inner the allocator to wrap
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public static ZeroizeOnFree over(Allocator inner) {
        return new ZeroizeOnFree(Objects.requireNonNull(inner, "inner"));
    }

    /**
     * {@return {@code arena}, its blocks wiped on free and close, still an arena}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<ZeroizeOnFree> over(A arena) {
        return WrappedArena.of(over((Allocator) Objects.requireNonNull(arena, "arena")), arena);
    }

    /**
     * {@return {@code arena}, its blocks wiped on free, reset and close, still an arena that resets}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<ZeroizeOnFree> over(
            A arena) {
        return WrappedArena.resettable(over((Allocator) Objects.requireNonNull(arena, "arena")), arena);
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment block = innerAllocate(byteSize, byteAlignment, orThrow);
        if (block != null) {
            MemorySegment usable = usable(block);
            if (usable.byteSize() > 0) {
                live.put(usable.address(), usable);
            }
        }
        return block;
    }

    /**
     * Wipes {@code segment}'s usable memory and frees it, if the inner allocator {@linkplain Allocator#owns owns}
     * it; otherwise the free goes to the inner allocator untouched, to be rejected or ignored there.
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (inner.owns(segment)) {
            MemorySegment usable = usable(segment);
            wipe(usable);
            if (usable.byteSize() > 0) {
                live.remove(usable.address(), usable);
            }
        }
        inner.deallocate(segment);
    }

    /**
     * Wipes every live block, then resets the inner allocator. If the inner allocator cannot reset, nothing
     * changes.
     *
     * @throws UnsupportedOperationException if the inner allocator is not {@link Resettable}
     */
    @Override
    public ResetReport reset() {
        Resettable target = resettable();
        wipeLive();
        ResetReport report = target.reset();
        live.clear();
        return report;
    }

    /** Wipes every live block, then closes the inner allocator, even if a wipe failed. */
    @Override
    public void close() {
        try {
            wipeLive();
        } finally {
            live.clear();
            super.close();
        }
    }

    /** {@return the number of live blocks a reset or close would wipe} */
    public int liveBlocks() {
        return live.size();
    }

    private void wipeLive() {
        for (MemorySegment usable : live.values()) {
            if (usable.scope().isAlive()) {
                wipe(usable);
            }
        }
    }

    /** {@return the memory a wipe of {@code block}, a live block of the inner allocator, covers} */
    private MemorySegment usable(MemorySegment block) {
        // One place for the usable size; over the slabs their slot, over anything else the block as asked.
        if (inner instanceof Slab slab) {
            return slab.slotOf(block);
        }
        if (inner instanceof HardenedSlab slab) {
            return slab.slotOf(block);
        }
        if (inner instanceof SizeClassed classes) {
            return classes.slotOf(block);
        }
        return block;
    }

    /**
     * Zeros {@code memory} so that no compiler can drop it. In C a memset before free() is a dead store the
     * compiler may remove, since it knows free(); here the JIT does not know what {@code deallocate} does, and
     * MemorySegment.fill on native memory is an Unsafe.setMemory on memory outside the Java heap, whose readers
     * (other threads, native code) the JIT cannot see, so it never treats these stores as dead. The full fence
     * orders the zeros before the free hands the memory to its next user, on whatever thread.
     */
    private static void wipe(MemorySegment memory) {
        Zeroing.zero(memory);
        VarHandle.fullFence();
    }
}
