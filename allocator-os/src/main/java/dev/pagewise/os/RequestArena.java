package dev.pagewise.os;

import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.internal.Listening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * One slot of an {@link ArenaPool}, leased for one request: an {@link Arena} and {@link Allocator} owned by
 * the leasing thread. Memory it hands out reads zero.
 *
 * <p>Every segment it hands out, overflow blocks included, lives in the lease's scope: after
 * {@link #close()} each of them throws {@link IllegalStateException} instead of showing the next request's
 * bytes. When the slot is full, requests go to the pool's overflow allocator if it has one (the blocks are
 * freed to it when the lease ends), or fail. Not thread-safe; only the leasing thread may use or close it.
 */
public final class RequestArena implements Allocator, Arena {

    /** The path without the listener, held once: see {@link Listening#allocate}. */
    private final Listening.Raw unlistened = this::unlistened;
    private final ArenaPool pool;
    private final ArenaPool.Lease lease;
    private final BumpArena arena;
    private final Allocator overflow;

    RequestArena(ArenaPool pool, ArenaPool.Lease lease, BumpArena arena, Allocator overflow) {
        this.pool = pool;
        this.lease = lease;
        this.arena = arena;
        this.overflow = overflow;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        AllocationListener listener = lease.listener;
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, true, unlistened);
        }
        return unlistened(byteSize, byteAlignment, true);
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        AllocationListener listener = lease.listener;
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, false, unlistened);
        }
        return unlistened(byteSize, byteAlignment, false);
    }

    /** The slot first, then the overflow allocator if the pool has one. */
    private MemorySegment unlistened(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment segment = arena.tryAllocate(byteSize, byteAlignment);
        if (segment != null) {
            return segment;
        }
        if (overflow == null) {
            return orThrow ? arena.allocate(byteSize, byteAlignment) : null;
        }
        MemorySegment block = orThrow ? overflow.allocate(byteSize, byteAlignment) : overflow.tryAllocate(byteSize, byteAlignment);
        return block == null ? null : scoped(block);
    }

    /** Records an overflow block for freeing and hands it out in the lease's scope (overflowTo is restricted for this). */
    @SuppressWarnings("restricted")
    private MemorySegment scoped(MemorySegment block) {
        lease.overflowed(block);
        return block.reinterpret(arena, null);
    }

    @Override
    public MemorySegment.Scope scope() {
        return arena.scope();
    }

    @Override
    public long capacity() {
        return arena.capacity();
    }

    /** {@inheritDoc} Here: a segment of this lease, from its slot or from the overflow allocator. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        if (arena.owns(segment)) {
            return true;
        }
        if (lease.isEnded() || !segment.scope().equals(arena.scope())) {
            return false;
        }
        for (MemorySegment block : lease.overflowed()) {
            if (block.address() == segment.address() && block.byteSize() == segment.byteSize()) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the lease ended
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        checkLeased();
        return Allocator.super.reallocate(segment, newSize);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the lease ended
     */
    @Override
    public long usableSize(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        checkLeased();
        return Allocator.super.usableSize(segment);
    }

    private void checkLeased() {
        if (lease.isEnded()) {
            throw new IllegalStateException("the lease of slot " + lease.slot + " ended");
        }
    }

    /** {@return the index of the slot this lease holds} */
    public int slot() {
        return lease.slot;
    }

    /** {@return the bytes allocated from the slot so far} */
    public long allocated() {
        return arena.allocated();
    }

    /** {@return the blocks that went to the overflow allocator} */
    public int overflowed() {
        return lease.overflowed().size();
    }

    /**
     * Ends the lease: every segment becomes inaccessible, the lease's listener hears the reset and close,
     * overflow blocks are freed, the slot is reset (here, or by the pool's scrubber) and returned. Once the
     * segments are closed the slot goes back whatever else fails; that failure is then thrown. If the segments
     * cannot be closed (one is in use by a downcall), nothing changes.
     *
     * @throws IllegalStateException if the lease already ended (closed, or reclaimed by the pool)
     * @throws WrongThreadException from a thread other than the one that leased
     */
    @Override
    public void close() {
        if (lease.isEnded()) {
            throw new IllegalStateException("the lease of slot " + lease.slot + " already ended");
        }
        if (Thread.currentThread() != lease.thread) {
            throw new WrongThreadException("the lease of slot " + lease.slot + " belongs to " + lease.thread
                    + ", not " + Thread.currentThread());
        }
        try {
            lease.used = arena.highWater();
            arena.close();
            if (!lease.end()) {
                throw new IllegalStateException("the lease of slot " + lease.slot + " already ended");
            }
            pool.endLease(lease);
        } finally {
            // the lease is the phantom reference of the arena's scope: it must not be queued before end() above
            Reference.reachabilityFence(arena);
        }
    }

    @Override
    public String toString() {
        return "RequestArena[slot " + lease.slot + ", " + arena + "]";
    }
}
