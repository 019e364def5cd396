package dev.pagewise.os;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
        MemorySegment segment = arena.tryAllocate(byteSize, byteAlignment);
        if (segment != null) {
            return segment;
        }
        if (overflow == null) {
            return arena.allocate(byteSize, byteAlignment);
        }
        return scoped(overflow.allocate(byteSize, byteAlignment));
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        MemorySegment segment = arena.tryAllocate(byteSize, byteAlignment);
        if (segment != null || overflow == null) {
            return segment;
        }
        segment = overflow.tryAllocate(byteSize, byteAlignment);
        return segment == null ? null : scoped(segment);
    }

    /** Records an overflow block for freeing and hands it out in the lease's scope. */
    @SuppressWarnings("restricted")
    private MemorySegment scoped(MemorySegment block) {
        lease.overflowed.add(block);
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

    @Override
    public boolean freesIndividually() {
        return false;
    }

    /** {@inheritDoc} Here: a segment of this lease, from its slot or from the overflow allocator. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (arena.owns(segment)) {
            return true;
        }
        if (lease.ended.get() != 0 || !segment.scope().equals(arena.scope())) {
            return false;
        }
        for (MemorySegment block : lease.overflowed) {
            if (block.address() == segment.address() && block.byteSize() == segment.byteSize()) {
                return true;
            }
        }
        return false;
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
        return lease.overflowed.size();
    }

    /**
     * Ends the lease: every segment becomes inaccessible, overflow blocks are freed, the slot is reset
     * (here, or by the pool's scrubber) and returned. The slot goes back even when freeing an overflow
     * block fails; that failure is then thrown.
     *
     * @throws IllegalStateException if the lease already ended (closed, or reclaimed by the pool)
     * @throws WrongThreadException from a thread other than the one that leased
     */
    @Override
    public void close() {
        if (lease.ended.get() != 0) {
            throw new IllegalStateException("the lease of slot " + lease.slot + " already ended");
        }
        if (Thread.currentThread() != lease.thread) {
            throw new WrongThreadException("the lease of slot " + lease.slot + " belongs to " + lease.thread
                    + ", not " + Thread.currentThread());
        }
        lease.used = arena.highWater();
        arena.close();
        lease.end();
        try {
            pool.freeOverflow(lease);
        } finally {
            pool.giveBack(lease);
        }
    }

    @Override
    public String toString() {
        return "RequestArena[slot " + lease.slot + ", " + arena + "]";
    }
}
