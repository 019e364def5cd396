package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Fixed-size slots over a {@link FixedRange}, handed out as {@code long} <em>handles</em> that carry the slot's
 * index and a generation: {@link #resolve} turns a handle into the slot's segment, and {@link #free(long)} gives
 * the slot back. Each time a slot is handed out its generation goes up, so a handle of an earlier use (freed, or
 * freed and handed out again) is <em>stale</em>, and {@code resolve} or {@code free} of it throws
 * {@link IllegalArgumentException} naming its slot, its generation and the slot's generation now. Handle
 * {@value #NO_HANDLE} is never valid.
 *
 * <p><b>Generations never wrap.</b> A slot's generation counts from 1 up to {@code 2^bits - 1}
 * ({@link Builder#generationBits}, 31 by default); a slot freed at its last generation is <em>retired</em>: it is
 * never handed out again, so no later handle can equal a stale one. The cost is capacity: each slot serves
 * {@code 2^bits - 1} allocations, and the slab is full once every slot is live or retired. With the default 31
 * bits that is over two billion uses of each slot.
 *
 * <p>A slot is zeroed when freed, so a slot handed out reads zero (unless built
 * {@linkplain Builder#withoutZeroing() without zeroing}). The free list and the generations live on the heap,
 * not in the slots, so no write into a slot can corrupt them. Resolved segments share the slab's scope, ended by
 * {@link #close()}: after that none can be used. A segment resolved before a {@code free} is not revoked by it:
 * a write through it lands in the slot, and once the slot is handed out again, in the new owner's bytes. Hold the
 * handle, not the segment, and resolve it where it is used: the handle is what detects staleness. (Revoking
 * segments per generation would need an arena per allocation, whose close costs a handshake with every thread.)
 * Not thread-safe.
 */
public final class GenerationalSlab implements AutoCloseable {

    /** The handle that is never valid, which {@link #tryAllocateHandle()} returns when the slab is full: {@value}. */
    public static final long NO_HANDLE = 0;

    /** The most slots a slab may have: its heap metadata (two ints and a bit per slot) then takes about 520 MiB. */
    public static final long MAX_SLOTS = 1L << 26;

    /** The default width of a generation, in bits. */
    public static final int DEFAULT_GENERATION_BITS = 31;

    private static final int NONE = -1;
    private static final long INDEX_MASK = 0xFFFF_FFFFL;

    private final FixedRange range;
    private final SlotMemory slots;
    private final MemorySegment memory;
    private final AllocationListener listener;
    private final long slotSize;
    private final int slotCount;
    private final int generationBits;
    private final int lastGeneration;
    private final boolean zeroing;
    /** The generation each slot was last handed out at; 0 if never. */
    private final int[] generation;
    private final int[] nextFree;
    private final long[] live;
    private int freeHead = NONE;
    private int fresh;
    private long liveCount;
    private long retired;
    private long committedEnd;
    private boolean closed;

    private GenerationalSlab(Builder b, long slotSize, int slotCount) {
        this.range = b.range;
        this.listener = Listening.orNull(b.listener);
        this.slotSize = slotSize;
        this.slotCount = slotCount;
        this.generationBits = b.generationBits;
        this.lastGeneration = (int) ((1L << generationBits) - 1);
        this.zeroing = b.zeroing;
        this.generation = new int[slotCount];
        this.nextFree = new int[slotCount];
        this.live = new long[LiveSlots.words(slotCount)];
        this.slots = SlotMemory.take(range);
        this.memory = slots.memory();
        this.committedEnd = range.committed();
    }

    /**
     * {@return a slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) over {@code range}, with
     * {@value #DEFAULT_GENERATION_BITS}-bit generations}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or larger than the range, or the
     *         range would hold more than {@link #MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed or in use
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static GenerationalSlab over(FixedRange range, long slotSize) {
        return builder(range, slotSize).build();
    }

    /**
     * {@return a builder of a slab of {@code slotSize}-byte slots over {@code range}}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes; rounded up to a multiple of 8
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive
     */
    public static Builder builder(FixedRange range, long slotSize) {
        return new Builder(range, slotSize);
    }

    /**
     * {@return the handle of a slot, which reads zero}
     *
     * @throws AllocationFailedException if every slot is live or retired
     * @throws IllegalStateException if the slab is closed
     */
    public long allocateHandle() {
        long handle = tryAllocateHandle();
        if (handle == NO_HANDLE) {
            throw new AllocationFailedException(name() + ": no free slot (" + liveCount + " live, " + retired
                    + " retired of " + slotCount + ")", slotSize, 8, 0);
        }
        return handle;
    }

    /**
     * {@return the handle of a slot, which reads zero, or {@link #NO_HANDLE} if every slot is live or retired}
     *
     * @throws IllegalStateException if the slab is closed
     */
    public long tryAllocateHandle() {
        checkOpen();
        if (listener != null && listener.onPreAllocation(slotSize, 8) != null) {
            // A refusal reserved nothing: onFailedAllocation would undo what it never did (a Limit would refund).
            return NO_HANDLE;
        }
        int index;
        if (freeHead != NONE) {
            index = freeHead;
            freeHead = nextFree[index];
        } else if (fresh < slotCount) {
            index = fresh;
            long end = (index + 1L) * slotSize;
            if (end > committedEnd) {
                try {
                    range.commit(index * slotSize, slotSize);
                } catch (RuntimeException | Error e) {
                    if (listener != null) {
                        listener.onFailedAllocation(slotSize, 8);
                    }
                    throw e;
                }
                committedEnd = range.committed();
            }
            fresh++;
        } else {
            if (listener != null) {
                listener.onFailedAllocation(slotSize, 8);
            }
            return NO_HANDLE;
        }
        int gen = ++generation[index];
        LiveSlots.set(live, index);
        liveCount++;
        if (listener != null) {
            listener.onAllocation(slot(index));
        }
        return (long) gen << 32 | index;
    }

    /**
     * {@return the slot of a live {@code handle}, as a segment of {@link #slotSize()} bytes in the slab's scope}
     *
     * @param handle a handle this slab handed out and has not freed
     * @throws IllegalArgumentException if {@code handle} is stale or was never handed out, naming its slot and
     *         generation and the slot's generation now
     * @throws IllegalStateException if the slab is closed
     */
    public MemorySegment resolve(long handle) {
        return slot(check(handle, "resolve"));
    }

    /**
     * Frees the slot of a live {@code handle}: it is zeroed, and handed out again under the next generation, or
     * retired if this was its last.
     *
     * @param handle a handle this slab handed out and has not freed
     * @throws IllegalArgumentException if {@code handle} is stale (a double free) or was never handed out, naming
     *         its slot and generation and the slot's generation now; nothing changes then
     * @throws IllegalStateException if the slab is closed
     */
    public void free(long handle) {
        int index = check(handle, "free");
        LiveSlots.clear(live, index);
        liveCount--;
        MemorySegment slot = slot(index);
        if (zeroing) {
            Zeroing.zero(slot);
        }
        if (generation[index] == lastGeneration) {
            // Handing it out again would need a generation some stale handle already carries.
            retired++;
        } else {
            nextFree[index] = freeHead;
            freeHead = index;
        }
        if (listener != null) {
            listener.onRelease(slot);
        }
    }

    /**
     * {@return whether {@code handle} is live: one {@link #resolve} and {@link #free(long)} take} Never throws;
     * {@code false} once the slab is closed.
     *
     * @param handle any value
     */
    public boolean isLive(long handle) {
        long index = handle & INDEX_MASK;
        long gen = handle >>> 32;
        return !closed && index < fresh && gen == generation[(int) index] && isLiveSlot((int) index);
    }

    private boolean isLiveSlot(int index) {
        return LiveSlots.isLive(live, index);
    }

    private int check(long handle, String op) {
        checkOpen();
        long index = handle & INDEX_MASK;
        long gen = handle >>> 32;
        if (index >= fresh || gen == 0 || gen > lastGeneration) {
            throw new IllegalArgumentException(op + ": not a handle of this slab: 0x" + Long.toHexString(handle)
                    + " (slot " + index + ", generation " + gen + "); " + fresh + " of " + slotCount
                    + " slots handed out so far, generations 1 to " + lastGeneration);
        }
        int i = (int) index;
        int now = generation[i];
        if (gen != now || !isLiveSlot(i)) {
            String state = isLiveSlot(i) ? "live" : now == lastGeneration ? "retired" : "free";
            throw new IllegalArgumentException(op + ": stale handle 0x" + Long.toHexString(handle) + " (slot " + index
                    + ", generation " + gen + "): slot " + index + " is at generation " + now + ", " + state);
        }
        return i;
    }

    private MemorySegment slot(int index) {
        return memory.asSlice(index * slotSize, slotSize);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("GenerationalSlab is closed");
        }
    }

    private String name() {
        return "GenerationalSlab(" + slotSize + " B slots, " + generationBits + "-bit generations)";
    }

    /**
     * {@return the slot index {@code handle} names, whether or not it is live}
     *
     * @param handle any value
     */
    public static int slotOf(long handle) {
        return (int) (handle & INDEX_MASK);
    }

    /**
     * {@return the generation {@code handle} names, whether or not it is live}
     *
     * @param handle any value
     */
    public static long generationOf(long handle) {
        return handle >>> 32;
    }

    /** {@return the size of a slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the number of slots} */
    public int slotCount() {
        return slotCount;
    }

    /** {@return the width of a generation, in bits} */
    public int generationBits() {
        return generationBits;
    }

    /** {@return the number of live slots} */
    public long liveSlots() {
        return liveCount;
    }

    /** {@return the number of slots retired because their generations are used up; they are never handed out again} */
    public long retiredSlots() {
        return retired;
    }

    /**
     * Closes the slab: every segment it resolved becomes inaccessible, every handle stops resolving
     * ({@link IllegalStateException}), the slots it used are zeroed, so the range reads zero again, and the
     * range is released.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public void close() {
        checkOpen();
        slots.closeArena();
        closed = true;
        slots.release(fresh * slotSize, listener);
    }

    @Override
    public String toString() {
        return "GenerationalSlab[" + liveCount + " live, " + retired + " retired of " + slotCount + " x "
                + ByteSizes.format(slotSize) + ", " + generationBits + "-bit generations]";
    }

    /** Builds a {@link GenerationalSlab}. Not thread-safe. */
    public static final class Builder {
        private final FixedRange range;
        private final long slotSize;
        private int generationBits = DEFAULT_GENERATION_BITS;
        private AllocationListener listener = AllocationListener.NOOP;
        private boolean zeroing = true;

        private Builder(FixedRange range, long slotSize) {
            this.range = Objects.requireNonNull(range, "range");
            if (slotSize <= 0) {
                throw new IllegalArgumentException("slotSize must be positive: " + slotSize);
            }
            this.slotSize = slotSize;
        }

        /**
         * Sets the width of a generation: each slot serves {@code 2^bits - 1} allocations, then retires. Small
         * widths are for tests that drive the generations to their end.
         *
         * @param bits the width, 1 to 31; the default is {@value #DEFAULT_GENERATION_BITS}
         * @return this builder
         * @throws IllegalArgumentException if {@code bits} is outside 1 to 31
         */
        public Builder generationBits(int bits) {
            if (bits < 1 || bits > 31) {
                throw new IllegalArgumentException("generationBits must be 1 to 31: " + bits);
            }
            this.generationBits = bits;
            return this;
        }

        /**
         * Sets the listener that hears allocations (with the slot's segment), frees and close, on the thread
         * that uses the slab; a refusal by {@link AllocationListener#onPreAllocation} makes the slab full for
         * that call.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(AllocationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hands out freed slots without zeroing them, as {@link Slab#withoutZeroing} does.
         *
         * <p>This method is <em>restricted</em>: a slot shows its previous user's bytes, so it may be called
         * only from a module with native access.
         *
         * @return this builder
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder withoutZeroing() {
            Restricted.check("GenerationalSlab.Builder.withoutZeroing()");
            this.zeroing = false;
            return this;
        }

        /**
         * {@return the slab}
         *
         * @throws IllegalArgumentException if the slot size is larger than the range, or the range would hold
         *         more than {@link #MAX_SLOTS} slots
         * @throws IllegalStateException if the range is closed or in use
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public GenerationalSlab build() {
            Restricted.range(range, "GenerationalSlab");
            // Checked before rounding up: a slotSize near Long.MAX_VALUE would overflow there.
            if (slotSize > range.byteSize() || Checks.alignUp(slotSize, 8) > range.byteSize()) {
                throw new IllegalArgumentException("slotSize must be at most the range's " + range.byteSize()
                        + " bytes: " + slotSize);
            }
            long size = Checks.alignUp(slotSize, 8);
            SlotMemory.checkSlotCount(range, size, MAX_SLOTS);
            return new GenerationalSlab(this, size, (int) (range.byteSize() / size));
        }
    }
}
