package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * Hears what an allocator does, after Apache Arrow's {@code AllocationListener}: every method has a default
 * that does nothing, so a listener overrides only what it needs, and {@link #NOOP} hears nothing. An
 * allocator takes one listener when it is built ({@link BumpArena.Builder#listener},
 * {@link SharedBumpArena.Builder#listener}, {@link Slab#over(FixedRange, long, AllocationListener)},
 * {@link SizeClassed.Builder#listener}, the pool's builder in {@code dev.pagewise.os}); {@link #of} combines
 * several. Any other allocator gets one through {@link Observed#over}. Because the allocator itself calls
 * it, a listened arena is still the arena it was: an {@link java.lang.foreign.Arena}, resettable, closeable.
 *
 * <p>The calls tell exactly what happened, never what a caller asked for: {@link #onRelease} only for a
 * block the allocator really took back (a slab; never a bump arena, which frees in bulk), {@link #onReset}
 * when everything was freed at once, {@link #onResize} for a block resized in place (a block that moves is an
 * allocation and, where the allocator frees, a release). {@link Statistics}, {@link Limit} and {@link LeakTracking} are
 * listeners. A listener is called on the thread that allocates; one attached to a thread-safe allocator
 * must be thread-safe.
 *
 * {@snippet lang=java :
 * // counts allocations of at least 1 MiB, the whole wrapper:
 * AllocationListener bigOnes = new AllocationListener() {
 *     final LongAdder count = new LongAdder();
 *     @Override
 *     public void onAllocation(MemorySegment segment) {
 *         if (segment.byteSize() >= 1 << 20) {
 *             count.increment();
 *         }
 *     }
 * };
 * BumpArena arena = BumpArena.builder(range).listener(bigOnes).build();
 * }
 */
public interface AllocationListener {

    /** The listener that hears nothing. */
    AllocationListener NOOP = new AllocationListener() {
        @Override
        public String toString() {
            return "AllocationListener.NOOP";
        }
    };

    /**
     * Called before the allocator serves a request; may refuse it. After a request it lets through, exactly
     * one of {@link #onAllocation} or {@link #onFailedAllocation} follows.
     *
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @return {@code null} to let the request through, or why it is refused, for the message of the
     *         {@link AllocationFailedException} that {@code allocate} then throws ({@code tryAllocate} returns
     *         {@code null})
     */
    default String onPreAllocation(long byteSize, long byteAlignment) {
        return null;
    }

    /**
     * Called with each block handed out.
     *
     * @param segment the block, as the caller gets it
     */
    default void onAllocation(MemorySegment segment) {
    }

    /**
     * Called when the allocator had no room for a request that {@link #onPreAllocation} let through, or when
     * it failed with an exception.
     *
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     */
    default void onFailedAllocation(long byteSize, long byteAlignment) {
    }

    /**
     * Called with each block the allocator took back through {@link Allocator#deallocate}, after it accepted
     * the free.
     *
     * <p>If it throws during a {@link Allocator#reallocate} that moves a block, after the old block was freed,
     * the move stands: the caller gets the new block and the exception (other than a
     * {@link MemoryCorruptionException} or an {@link Error}) is dropped.
     *
     * @param segment the freed block, as the caller passed it
     */
    default void onRelease(MemorySegment segment) {
    }

    /**
     * Called before the allocator resizes {@code segment} <em>in place</em> to {@code newSize} bytes; may refuse
     * it. A resize that moves the block is heard as what it is instead: an allocation of the new block, then (if
     * the allocator really frees) the release of the old one. After a resize it lets through, exactly one of
     * {@link #onResize} or {@link #onFailedResize} follows.
     *
     * <p>The default hears it as a request for the resized block, {@code onPreAllocation(newSize, 1)}, which with
     * the default {@link #onResize} keeps a listener exact that is exact for allocations and releases. A listener
     * that budgets bytes overrides it to admit only the growth and never refuse a shrink, as {@link Limit} does.
     *
     * @param segment the block, as the caller passed it
     * @param newSize the size asked for
     * @return {@code null} to let the resize through, or why it is refused; {@code reallocate} then throws
     *         {@link AllocationFailedException} and nothing changes
     */
    default String onPreResize(MemorySegment segment, long newSize) {
        return onPreAllocation(newSize, 1);
    }

    /**
     * Called when the allocator resized a block in place. The default hears it as {@code onRelease(segment)} then
     * {@code onAllocation(resized)}. A shrink that gives no bytes back to the allocator (a bump arena's block
     * before its last, any block of a shared bump arena: the tail stays allocated until the reset) is not heard
     * at all, so a listener that counts bytes keeps counting the block at its old size, which the allocator still
     * holds. It should not throw: the block is resized by then, so a {@link RuntimeException} it throws (other
     * than a {@link MemoryCorruptionException}) is dropped and {@code reallocate} returns the resized block.
     *
     * @param segment the block before, as the caller passed it; stale now
     * @param resized the block after: the same address, {@code resized.byteSize()} bytes
     */
    default void onResize(MemorySegment segment, MemorySegment resized) {
        onRelease(segment);
        onAllocation(resized);
    }

    /**
     * Called when an in-place resize that {@link #onPreResize} let through did not happen: the block could not
     * grow there, or the allocator failed. The block is unchanged. The default is
     * {@code onFailedAllocation(newSize, 1)}, undoing the default {@link #onPreResize}.
     *
     * @param segment the block, unchanged
     * @param newSize the size asked for
     */
    default void onFailedResize(MemorySegment segment, long newSize) {
        onFailedAllocation(newSize, 1);
    }

    /** Called when every block allocated since the last reset was freed at once: a reset, or a close that frees all. */
    default void onReset() {
    }

    /** Called when the allocator is closed; blocks it did not free by then are leaked. */
    default void onClose() {
    }

    /**
     * {@return one listener that calls each of {@code listeners} in order} If one refuses a request, those
     * before it hear {@link #onFailedAllocation}, so a reservation they made is undone. Given one listener,
     * returns it.
     *
     * @param listeners the listeners, in the order they are called
     * @throws NullPointerException if {@code listeners} or any of them is {@code null}
     */
    static AllocationListener of(AllocationListener... listeners) {
        Objects.requireNonNull(listeners, "listeners");
        for (int i = 0; i < listeners.length; i++) {
            Objects.requireNonNull(listeners[i], "listeners[" + i + "]");
        }
        List<AllocationListener> all = List.of(listeners);
        return all.size() == 1 ? all.getFirst() : new CompositeListener(all);
    }
}
