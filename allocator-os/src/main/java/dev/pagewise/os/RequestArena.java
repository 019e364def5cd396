package dev.pagewise.os;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One slot of an {@link ArenaPool}, leased for one request: an {@link Arena} and {@link Allocator} owned by
 * the leasing thread. {@link #close()} ends the scope of every segment it handed out and gives the slot
 * back, to be reset under the pool's policy. When the slot is full, requests go to the pool's overflow
 * allocator if it has one (those segments keep that allocator's scope and are freed to it on close), or fail.
 */
public final class RequestArena implements Allocator, Arena {

    private final ArenaPool pool;
    private final int slot;
    private final BumpArena arena;
    private final Allocator overflow;
    private final List<MemorySegment> overflowed = new ArrayList<>();

    RequestArena(ArenaPool pool, int slot, BumpArena arena, Allocator overflow) {
        this.pool = pool;
        this.slot = slot;
        this.arena = arena;
        this.overflow = overflow;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (overflow == null) {
            return arena.allocate(byteSize, byteAlignment);
        }
        MemorySegment segment = arena.tryAllocate(byteSize, byteAlignment);
        if (segment != null) {
            return segment;
        }
        segment = overflow.allocate(byteSize, byteAlignment);
        overflowed.add(segment);
        return segment;
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        MemorySegment segment = arena.tryAllocate(byteSize, byteAlignment);
        if (segment != null || overflow == null) {
            return segment;
        }
        segment = overflow.tryAllocate(byteSize, byteAlignment);
        if (segment != null) {
            overflowed.add(segment);
        }
        return segment;
    }

    @Override
    public MemorySegment.Scope scope() {
        return arena.scope();
    }

    @Override
    public long capacity() {
        return arena.capacity();
    }

    /** {@return the index of the slot this lease holds} */
    public int slot() {
        return slot;
    }

    /** {@return the bytes allocated from the slot so far} */
    public long allocated() {
        return arena.allocated();
    }

    /** {@return the blocks that went to the overflow allocator} */
    public int overflowed() {
        return overflowed.size();
    }

    /**
     * Ends the lease: segments become inaccessible, overflow blocks are freed, the slot is reset (here, or
     * by the pool's scrubber) and returned.
     *
     * @throws IllegalStateException if already closed
     * @throws WrongThreadException from a thread other than the one that leased
     */
    @Override
    public void close() {
        long used = arena.highWater();
        if (pool.scrubsInBackground()) {
            arena.close();
        } else {
            pool.recordReset(arena.reset());
            arena.close();
        }
        for (MemorySegment segment : overflowed) {
            overflow.deallocate(segment);
        }
        overflowed.clear();
        pool.giveBack(slot, used);
    }

    @Override
    public String toString() {
        return "RequestArena[slot " + slot + ", " + arena + "]";
    }
}
