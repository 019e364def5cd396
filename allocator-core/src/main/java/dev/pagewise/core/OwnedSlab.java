package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.VarHandles;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Fixed-size slots over a {@link FixedRange}, allocated by one thread, its owner, and freed by any thread.
 *
 * <p>The owner allocates and frees through a free list of its own, with no lock. Another thread frees a
 * slot by pushing it, with one compare-and-set, onto a lock-free stack of remote frees; the owner takes the
 * whole stack in one atomic swap when its own list runs empty, before it takes a slot never handed out
 * (the design of mimalloc's thread-delayed free lists). The link to the next free slot lives in the free
 * slot itself, in both lists.
 *
 * <p>A slot is zeroed by the thread that frees it, before it is published to the owner, so every slot
 * handed out reads zero (unless the slab was made {@linkplain #withoutZeroing without zeroing}).
 * {@link #deallocate} detects a double free and a segment that is not one of this slab's live slots with
 * {@link IllegalArgumentException}, through a bitmap of live slots cleared atomically: of two threads
 * that free one slot at once, exactly one succeeds. A link that a write after free changed throws
 * {@link MemoryCorruptionException} and is never followed, as in {@link Slab}.
 *
 * <p>Thread-safety: {@link #allocate}/{@link #tryAllocate} throw {@link WrongThreadException} on any thread
 * but the owner; {@link #deallocate}, {@link #owns} and {@link #close} may be called from any thread.
 * Segments share one scope, the slab's, ended by {@link #close()}: after that a thread that uses a
 * segment, allocates or frees gets {@link IllegalStateException}. {@link #liveSlots()} is exact once the
 * threads that allocated and freed are done (joined, or otherwise ordered before the call).
 */
public final class OwnedSlab implements Allocator, AutoCloseable {

    private static final long NONE = -1;
    private static final VarHandle REMOTE_HEAD;
    private static final VarHandle REMOTE_FREED;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        REMOTE_HEAD = VarHandles.field(lookup, OwnedSlab.class, "remoteHead", long.class);
        REMOTE_FREED = VarHandles.field(lookup, OwnedSlab.class, "remoteFreed", long.class);
    }

    private final FixedRange range;
    /** The wipe at close, held once: a close allocates nothing before its try/finally. */
    private final Runnable zeroUsed = this::zeroUsed;
    private final SlotMemory slots;
    private final MemorySegment memory;
    private final long baseAddress;
    private final long slotSize;
    private final long slotAlignment;
    private final long slotCount;
    private final int slotShift;
    private final boolean zeroing;
    private final long[] live;
    /** The owner; changed only by {@link ConcurrentSizeClassed}, ordered by its heap's ownership. */
    private volatile Thread owner;
    // The owner's state: read and written by the owner only.
    private long freeHead = NONE;
    private long taken;
    private long committedEnd;
    /** Written by the owner only; volatile so that a close on another thread zeroes every slot used. */
    private volatile long fresh;
    /** The top of the stack of slots freed by other threads. */
    @SuppressWarnings("unused")
    private volatile long remoteHead = NONE;
    @SuppressWarnings("unused")
    private volatile long remoteFreed;
    private volatile boolean closed;

    private OwnedSlab(FixedRange range, long slotSize, boolean zeroing, Thread owner) {
        this.range = range;
        this.slotSize = slotSize;
        this.zeroing = zeroing;
        this.owner = owner;
        this.slotShift = SlotMemory.shiftOf(slotSize);
        this.slotCount = range.byteSize() / slotSize;
        this.live = new long[LiveSlots.words(slotCount)];
        this.slots = SlotMemory.take(range);
        this.memory = slots.memory();
        this.baseAddress = slots.baseAddress();
        this.slotAlignment = slots.slotAlignment(slotSize);
        this.committedEnd = range.committed();
    }

    /**
     * {@return a slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) over {@code range},
     * owned by the calling thread}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or larger than the range, or the
     *         range would hold more than {@link Slab#MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed or in use
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static OwnedSlab over(FixedRange range, long slotSize) {
        return create(range, slotSize, true, Thread.currentThread());
    }

    /**
     * {@return a slab like {@link #over}, except that freed slots are not zeroed: a slot handed out holds
     * whatever its previous user left}
     *
     * <p>This method is <em>restricted</em>: a slot shows its previous user's bytes, so it may be called
     * only from a module with native access.
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws IllegalCallerException if the caller's module has no native access
     */
    public static OwnedSlab withoutZeroing(FixedRange range, long slotSize) {
        Restricted.check("OwnedSlab.withoutZeroing(FixedRange, long)");
        return create(range, slotSize, false, Thread.currentThread());
    }

    static OwnedSlab create(FixedRange range, long slotSize, boolean zeroing, Thread owner) {
        Restricted.range(Objects.requireNonNull(range, "range"), "OwnedSlab");
        long size = SlotMemory.roundedSlotSize(range, slotSize, Slab.MAX_SLOTS);
        return new OwnedSlab(range, size, zeroing, owner);
    }

    /** {@inheritDoc} Only on the owner thread. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = tryAllocate(byteSize, byteAlignment);
        if (segment == null) {
            throw new AllocationFailedException(name(), byteSize, byteAlignment,
                    (slotCount - liveSlots()) * slotSize, slotCount * slotSize);
        }
        return segment;
    }

    /**
     * {@inheritDoc} Only on the owner thread. A request larger than a slot, or aligned more strictly, finds
     * no room.
     *
     * @throws WrongThreadException if the calling thread is not the owner
     */
    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        long offset = take(byteSize, byteAlignment);
        return offset < 0 ? null : memory.asSlice(offset, byteSize);
    }

    private String name() {
        return "OwnedSlab(" + slotSize + " B slots, align " + slotAlignment + ")";
    }

    /** Takes a slot on the owner thread; {@return its offset, or -1 when the slab is full} */
    long take(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        if (closed) {
            throw new IllegalStateException("OwnedSlab is closed");
        }
        if (owner != Thread.currentThread()) {
            throw new WrongThreadException("OwnedSlab allocates only on its owner thread, " + owner
                    + "; called on " + Thread.currentThread());
        }
        if (byteSize > slotSize || byteAlignment > slotAlignment) {
            return -1;
        }
        if (freeHead == NONE && remoteHead != NONE) {
            freeHead = (long) REMOTE_HEAD.getAndSet(this, NONE);
        }
        long index;
        long offset;
        if (freeHead != NONE) {
            index = freeHead;
            offset = index * slotSize;
            long next = memory.get(JAVA_LONG_UNALIGNED, offset);
            if (next != NONE && (next < 0 || next >= fresh || LiveSlots.isLiveOpaque(live, next))) {
                // A write after free changed the link: never follow it. The slots behind it are lost.
                freeHead = NONE;
                throw slots.linkWrittenAfterFree("OwnedSlab", index, offset, next,
                        "; the free list behind it is dropped");
            }
            freeHead = next;
            memory.set(JAVA_LONG_UNALIGNED, offset, 0L);
        } else if (fresh < slotCount) {
            index = fresh;
            offset = index * slotSize;
            if (offset + slotSize > committedEnd) {
                range.commit(offset, slotSize);
                committedEnd = range.committed();
            }
            fresh = index + 1;
        } else {
            return -1;
        }
        // Atomic: other threads clear other bits of the word at the same time.
        LiveSlots.setAtomic(live, index);
        taken++;
        return offset;
    }

    /**
     * Frees a slot, from any thread: it is zeroed and goes back to the owner, at once if the caller is the
     * owner, otherwise through the stack of remote frees.
     *
     * @throws IllegalArgumentException if {@code segment} is not a live slot of this slab (a double free
     *         included; of two threads freeing one slot at once, one gets this)
     * @throws IllegalStateException if the slab is closed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (closed) {
            throw new IllegalStateException("OwnedSlab is closed");
        }
        long offset = segment.address() - baseAddress;
        long index = SlotMemory.indexOf(offset, slotSize, slotShift);
        if (offset < 0 || index >= slotCount || index * slotSize != offset || segment.byteSize() > slotSize
                || !slots.isOwnSegment(segment)) {
            throw slots.notHandedOut(segment, "of " + slotCount + " x " + slotSize + " B");
        }
        if (!LiveSlots.clearAtomic(live, index)) {
            throw new IllegalArgumentException("double free of slot " + index + " at 0x"
                    + Long.toHexString(segment.address()) + " (or a slot never handed out)");
        }
        if (zeroing) {
            Zeroing.zero(memory, offset, slotSize);
        }
        if (owner == Thread.currentThread()) {
            memory.set(JAVA_LONG_UNALIGNED, offset, freeHead);
            freeHead = index;
            taken--;
        } else {
            REMOTE_FREED.getAndAdd(this, 1L);
            long head;
            do {
                head = remoteHead;
                // Published by the compare-and-set below, which the owner's swap reads.
                memory.set(JAVA_LONG_UNALIGNED, offset, head);
            } while (!REMOTE_HEAD.compareAndSet(this, head, index));
        }
    }

    /** {@return whether {@code segment} is a live slot of this slab: one {@link #deallocate} would take} */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        long offset = segment.address() - baseAddress;
        return !closed && offset >= 0 && offset < slotCount * slotSize && offset % slotSize == 0
                && segment.byteSize() <= slotSize && LiveSlots.isLiveOpaque(live, offset / slotSize)
                && slots.isOwnSegment(segment);
    }

    /** {@return the thread that may allocate, or {@code null} if none may} */
    public Thread owner() {
        return owner;
    }

    /** Hands the owner's role to {@code next}; the caller orders the old owner's last use before it. */
    void owner(Thread next) {
        owner = next;
    }

    /** {@return the size of a slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the largest alignment every slot has} */
    public long slotAlignment() {
        return slotAlignment;
    }

    /**
     * {@return the number of live slots} Exact once the threads that allocated and freed are done; while
     * they run, a snapshot that may lag.
     */
    public long liveSlots() {
        return taken - remoteFreed;
    }

    /** {@return the number of slots} */
    public long slotCount() {
        return slotCount;
    }

    @Override
    public boolean freesIndividually() {
        return true;
    }

    @Override
    public long capacity() {
        return slotCount * slotSize;
    }

    /**
     * Closes the slab, from any thread: every segment it handed out becomes inaccessible (a thread using
     * one, allocating or freeing gets {@link IllegalStateException}), the slots it used are zeroed, so the
     * range reads zero again, and the range is released.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("OwnedSlab is closed");
        }
        slots.closeArena();
        closed = true;
        slots.release(zeroUsed, null);
    }

    /** Zeroes the slots handed out so far. */
    private void zeroUsed() {
        range.zero(0, Math.min(fresh * slotSize, range.committed()));
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "OwnedSlab[" + liveSlots() + " of " + slotCount + " x " + ByteSizes.format(slotSize) + ", owner "
                + owner + "]";
    }
}
