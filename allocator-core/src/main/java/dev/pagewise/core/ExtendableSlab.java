package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.BlockSizes;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Fixed-size slots in chunks that the slab takes from its {@link FixedRange} as it fills, instead of failing
 * when full: over a lazily committed reservation it commits one chunk at a time. {@link #tryAllocate} returns
 * {@code null} only when the range has no room for another chunk (or the request is larger than a slot).
 * A chunk that holds no live slot any more is <em>purged</em> as its {@link PurgePolicy} says: over an
 * {@link OsBacked} range its pages go back to the operating system ({@link OsBacked#releasePages}: they read zero
 * and take no memory until written again, and stay committed); over any other range it is zeroed and stays
 * resident. Slots are taken from the lowest chunk that has room, so use packs into the low chunks and the high
 * ones empty out.
 *
 * <p>As in {@link Slab}: a slot is zeroed when freed, so every slot handed out reads zero (unless built
 * {@linkplain Builder#withoutZeroing() without zeroing}); {@link #deallocate} detects a double free, a foreign
 * segment and an interior slice with {@link IllegalArgumentException} and changes nothing; each chunk's free list
 * links through its free slots and every link is checked before it is followed
 * ({@link MemoryCorruptionException}). Segments share the slab's scope, ended by {@link #close()}. A freed slot's
 * old segment is not revoked while the slab is open: reading it after its chunk was purged reads zero, and a write
 * through it faults a zero page back in (memory use, never a crash: a purged chunk stays committed). A purged
 * chunk is handed out again from its start, as fresh slots, so such a write shows in the slot's next owner, as a
 * write through a freed segment does in a {@link Slab}: keep one owner per segment. Not thread-safe.
 */
public final class ExtendableSlab implements Allocator, AutoCloseable {

    /** The most slots a slab uses; chunks past them are left unused. The live-slot bitmap then takes 512 MiB of heap. */
    public static final long MAX_SLOTS = 1L << 32;

    /** The default chunk size, 64 KiB (see {@link Builder#chunkSize} for when a slab uses another). */
    public static final long DEFAULT_CHUNK_SIZE = 64 << 10;

    private static final long NONE = -1;
    private static final int NO_CHUNK = -1;
    private static final byte IN_USE = 0;
    private static final byte EMPTY = 1;
    private static final byte PURGED = 2;

    private final Listening.Raw unlistened = this::unlistened;
    /** The wipe at close, held once: a close allocates nothing before its try/finally. */
    private final Runnable wipeTaken = this::wipeTaken;
    private final FixedRange range;
    private final OsBacked os;
    private final SlotMemory slots;
    private final MemorySegment memory;
    private final long baseAddress;
    private final AllocationListener listener;
    private final long slotSize;
    private final long slotAlignment;
    private final long chunkSize;
    private final int slotsPerChunk;
    private final int chunkLimit;
    private final boolean zeroing;
    private final long delayNanos;
    private final LongSupplier clock;
    private final PurgePolicy policy;

    // per taken chunk, grown as chunks are taken
    private int[] chunkLive = new int[8];
    private int[] chunkFresh = new int[8];
    private long[] chunkFree = new long[8];
    private byte[] chunkState = new byte[8];
    private long[] emptySince = new long[8];
    private int[] emptyPrev = new int[8];
    private int[] emptyNext = new int[8];
    private long[] room = new long[1];
    private long[] live = new long[1];
    /** Each live block's size, kept only with a listener: see {@link BlockSizes}. */
    private final BlockSizes sizes;

    private int chunksTaken;
    /** The lowest chunk with room, or {@code chunksTaken} if none has. */
    private int lowestRoom;
    /** Empty chunks not yet purged, oldest first. */
    private int emptyHead = NO_CHUNK;
    private int emptyTail = NO_CHUNK;
    private int emptyCount;
    private long liveCount;
    private long purgedBytes;
    private long committedEnd;
    private boolean closed;

    private ExtendableSlab(Builder b, long slotSize, long chunkSize) {
        this.range = b.range;
        this.os = b.range instanceof OsBacked o ? o : null;
        this.listener = Listening.orNull(b.listener);
        this.slotSize = slotSize;
        this.chunkSize = chunkSize;
        this.slotsPerChunk = (int) (chunkSize / slotSize);
        // With a listener, sizes are recorded per slot, in one array: chunks past its length are left unused too.
        long slotLimit = listener != null ? BlockSizes.MAX_SLOTS : MAX_SLOTS;
        this.chunkLimit = (int) Math.min(Math.min(range.byteSize() / chunkSize, slotLimit / slotsPerChunk),
                Integer.MAX_VALUE - 8);
        this.sizes = listener != null ? new BlockSizes(slotSize, slotsPerChunk) : null;
        this.zeroing = b.zeroing;
        this.policy = b.policy;
        this.delayNanos = b.policy.delayNanos();
        this.clock = b.clock;
        this.slots = SlotMemory.take(range);
        this.memory = slots.memory();
        this.baseAddress = slots.baseAddress();
        this.slotAlignment = Math.min(slots.slotAlignment(slotSize), Long.lowestOneBit(chunkSize));
        this.committedEnd = range.committed();
    }

    /**
     * {@return a slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) in chunks of the
     * {@linkplain #DEFAULT_CHUNK_SIZE default size} over {@code range}, purging {@linkplain PurgePolicy#never() never}
     * by itself}
     *
     * @param range    the memory to take chunks from; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive, or the range is smaller than a chunk
     * @throws IllegalStateException if the range is closed or in use
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static ExtendableSlab over(FixedRange range, long slotSize) {
        return builder(range, slotSize).build();
    }

    /**
     * {@return a builder of a slab of {@code slotSize}-byte slots over {@code range}}
     *
     * @param range    the memory to take chunks from; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes; rounded up to a multiple of 8
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive
     */
    public static Builder builder(FixedRange range, long slotSize) {
        return new Builder(range, slotSize);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, true, unlistened);
        }
        return unlistened(byteSize, byteAlignment, true);
    }

    /** {@inheritDoc} A request larger than a slot, or aligned more strictly, finds no room. */
    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, false, unlistened);
        }
        return unlistened(byteSize, byteAlignment, false);
    }

    private MemorySegment unlistened(long byteSize, long byteAlignment, boolean orThrow) {
        long offset = take(byteSize, byteAlignment);
        if (offset >= 0) {
            if (sizes != null) {
                long chunk = offset / chunkSize;
                long index = firstSlot((int) chunk) + (offset - chunk * chunkSize) / slotSize;
                sizes.ensure(index + 1);
                sizes.set(index, byteSize);
            }
            return memory.asSlice(offset, byteSize);
        }
        if (orThrow) {
            throw new AllocationFailedException(name(), byteSize, byteAlignment,
                    capacity() - liveCount * slotSize, capacity());
        }
        return null;
    }

    private String name() {
        return "ExtendableSlab(" + slotSize + " B slots in " + ByteSizes.format(chunkSize) + " chunks, align "
                + slotAlignment + ")";
    }

    /** Takes a slot; {@return its offset, or -1 when there is no room} */
    private long take(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        checkOpen();
        if (delayNanos > 0 && emptyHead != NO_CHUNK) {
            purgeExpired();
        }
        if (byteSize > slotSize || byteAlignment > slotAlignment) {
            return -1;
        }
        int c = lowestRoom;
        if (c == chunksTaken && !takeChunk()) {
            return -1;
        }
        long index;
        long offset;
        long head = chunkFree[c];
        if (head != NONE) {
            index = head;
            offset = offsetOf(index);
            long next = memory.get(JAVA_LONG_UNALIGNED, offset);
            if (next != NONE && (next < firstSlot(c) || next >= firstSlot(c) + chunkFresh[c]
                    || LiveSlots.isLive(live, next))) {
                // A write after free changed the link: never follow it. The chunk's slots behind it come back
                // only when the chunk empties and is purged.
                chunkFree[c] = NONE;
                if (chunkFresh[c] == slotsPerChunk) {
                    noRoom(c);
                }
                throw slots.linkWrittenAfterFree("ExtendableSlab", index, offset, next,
                        "; the free list of chunk " + c + " behind it is dropped");
            }
            chunkFree[c] = next;
            memory.set(JAVA_LONG_UNALIGNED, offset, 0L);
        } else {
            index = firstSlot(c) + chunkFresh[c];
            offset = offsetOf(index);
            chunkFresh[c]++;
        }
        LiveSlots.set(live, index);
        liveCount++;
        if (chunkLive[c]++ == 0 && chunkState[c] != IN_USE) {
            if (chunkState[c] == EMPTY) {
                unlinkEmpty(c);
            }
            chunkState[c] = IN_USE;
        }
        if (chunkFree[c] == NONE && chunkFresh[c] == slotsPerChunk) {
            noRoom(c);
        }
        return offset;
    }

    /** Takes the next chunk from the range, committing it; {@return false if the range has no room for one} */
    private boolean takeChunk() {
        int c = chunksTaken;
        if (c == chunkLimit) {
            return false;
        }
        long end = (c + 1) * chunkSize;
        if (end > committedEnd) {
            range.commit(c * chunkSize, chunkSize);
            committedEnd = range.committed();
        }
        if (c == chunkLive.length) {
            int n = (int) Math.min((long) c * 2, chunkLimit);
            chunkLive = Arrays.copyOf(chunkLive, n);
            chunkFresh = Arrays.copyOf(chunkFresh, n);
            chunkFree = Arrays.copyOf(chunkFree, n);
            chunkState = Arrays.copyOf(chunkState, n);
            emptySince = Arrays.copyOf(emptySince, n);
            emptyPrev = Arrays.copyOf(emptyPrev, n);
            emptyNext = Arrays.copyOf(emptyNext, n);
        }
        int roomWords = (c >>> 6) + 1;
        if (roomWords > room.length) {
            room = Arrays.copyOf(room, Math.max(roomWords, room.length * 2));
        }
        int liveWords = (int) (((long) (c + 1) * slotsPerChunk + 63) >>> 6);
        if (liveWords > live.length) {
            live = Arrays.copyOf(live, (int) Math.min(Math.max(liveWords, (long) live.length * 2),
                    (MAX_SLOTS + 63) >>> 6));
        }
        chunkFree[c] = NONE;
        chunkFresh[c] = 0;
        chunkLive[c] = 0;
        chunkState[c] = IN_USE;
        room[c >>> 6] |= 1L << c;
        chunksTaken = c + 1;
        return true;
    }

    /** Chunk {@code c} is full: the lowest chunk with room is the next one above it that has some. */
    private void noRoom(int c) {
        room[c >>> 6] &= ~(1L << c);
        if (c == lowestRoom) {
            lowestRoom = nextRoom(c + 1);
        }
    }

    private int nextRoom(int from) {
        int w = from >>> 6;
        int words = (chunksTaken + 63) >>> 6;
        if (w >= words) {
            return chunksTaken;
        }
        long bits = room[w] & (-1L << from);
        while (bits == 0) {
            if (++w == words) {
                return chunksTaken;
            }
            bits = room[w];
        }
        return Math.min((w << 6) + Long.numberOfTrailingZeros(bits), chunksTaken);
    }

    private long firstSlot(int chunk) {
        return (long) chunk * slotsPerChunk;
    }

    private long offsetOf(long index) {
        long chunk = index / slotsPerChunk;
        return chunk * chunkSize + (index - chunk * slotsPerChunk) * slotSize;
    }

    /**
     * Frees a slot: it is zeroed and goes to the head of its chunk's free list. If it was the chunk's last live
     * slot, the chunk is purged now under {@link PurgePolicy#immediately()}.
     *
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if {@code segment} is not a live slot of this slab; nothing changes then
     * @throws IllegalStateException if the slab is closed
     * @throws RuntimeException of the range's choice, naming the OS error, if the system refuses to release the
     *         pages of a chunk this call purges; the slot is freed all the same, and the chunk stays empty and
     *         is purged again later
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        long offset = segment.address() - baseAddress;
        long chunk = offset >= 0 ? offset / chunkSize : -1;
        long within = offset - chunk * chunkSize;
        long slot = within / slotSize;
        if (offset < 0 || chunk >= chunksTaken || slot * slotSize != within || slot >= slotsPerChunk
                || segment.byteSize() > slotSize || !slots.isOwnSegment(segment)) {
            throw slots.notHandedOut(segment, "with " + chunksTaken + " chunk(s) of " + slotsPerChunk + " x " + slotSize
                    + " B");
        }
        int c = (int) chunk;
        long index = firstSlot(c) + slot;
        if (!LiveSlots.isLive(live, index)) {
            throw new IllegalArgumentException("double free of slot " + index + " at 0x"
                    + Long.toHexString(segment.address()));
        }
        if (sizes != null) {
            sizes.check(segment, index);
        }
        LiveSlots.clear(live, index);
        liveCount--;
        if (zeroing) {
            Zeroing.zero(memory, offset, slotSize);
        }
        memory.set(JAVA_LONG_UNALIGNED, offset, chunkFree[c]);
        chunkFree[c] = index;
        room[c >>> 6] |= 1L << c;
        if (c < lowestRoom) {
            lowestRoom = c;
        }
        try {
            if (--chunkLive[c] == 0) {
                chunkState[c] = EMPTY;
                linkEmpty(c);
                if (delayNanos == 0) {
                    purgeChunk(c);
                }
            }
            if (delayNanos > 0 && emptyHead != NO_CHUNK) {
                purgeExpired();
            }
        } finally {
            if (listener != null) {
                listener.onRelease(segment);
            }
        }
    }

    /**
     * Purges every chunk that holds no live slot now, whatever the policy: over an {@link OsBacked} range their
     * pages go back to the operating system, over any other range they are zeroed. Under
     * {@link PurgePolicy#never()} this is the only way chunks are purged.
     *
     * @return the bytes purged (whole chunks)
     * @throws IllegalStateException if the slab is closed
     * @throws RuntimeException of the range's choice, naming the OS error, if the system refuses to release
     *         pages; the chunks purged before stay purged, the others stay empty
     */
    public long purge() {
        checkOpen();
        long before = purgedBytes;
        while (emptyHead != NO_CHUNK) {
            purgeChunk(emptyHead);
        }
        return purgedBytes - before;
    }

    /** Purges the empty chunks whose delay has passed, oldest first. */
    private void purgeExpired() {
        long now = clock.getAsLong();
        while (emptyHead != NO_CHUNK && now - emptySince[emptyHead] >= delayNanos) {
            purgeChunk(emptyHead);
        }
    }

    private void purgeChunk(int c) {
        long start = c * chunkSize;
        if (os != null) {
            os.releasePages(start, chunkSize);
        } else {
            range.zero(start, chunkFresh[c] * slotSize);
        }
        // From here the chunk reads zero: its slots are handed out again from the start, as fresh ones.
        unlinkEmpty(c);
        chunkState[c] = PURGED;
        chunkFree[c] = NONE;
        chunkFresh[c] = 0;
        purgedBytes += chunkSize;
    }

    private void linkEmpty(int c) {
        emptySince[c] = delayNanos > 0 ? clock.getAsLong() : 0;
        emptyPrev[c] = emptyTail;
        emptyNext[c] = NO_CHUNK;
        if (emptyTail == NO_CHUNK) {
            emptyHead = c;
        } else {
            emptyNext[emptyTail] = c;
        }
        emptyTail = c;
        emptyCount++;
    }

    private void unlinkEmpty(int c) {
        int p = emptyPrev[c];
        int n = emptyNext[c];
        if (p == NO_CHUNK) {
            emptyHead = n;
        } else {
            emptyNext[p] = n;
        }
        if (n == NO_CHUNK) {
            emptyTail = p;
        } else {
            emptyPrev[n] = p;
        }
        emptyCount--;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ExtendableSlab is closed");
        }
    }

    /** {@return whether {@code segment} is a live slot of this slab: one {@link #deallocate} would take} */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null || closed) {
            return false;
        }
        long offset = segment.address() - baseAddress;
        if (offset < 0 || segment.byteSize() > slotSize || !slots.isOwnSegment(segment)) {
            return false;
        }
        long chunk = offset / chunkSize;
        long within = offset - chunk * chunkSize;
        return chunk < chunksTaken && within % slotSize == 0 && within / slotSize < slotsPerChunk
                && LiveSlots.isLive(live, firstSlot((int) chunk) + within / slotSize);
    }

    /** {@return the size of a slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the largest alignment every slot has} */
    public long slotAlignment() {
        return slotAlignment;
    }

    /** {@return the size of a chunk} */
    public long chunkSize() {
        return chunkSize;
    }

    /** {@return the policy that decides when empty chunks are purged} */
    public PurgePolicy purgePolicy() {
        return policy;
    }

    /** {@return the number of live slots} */
    public long liveSlots() {
        return liveCount;
    }

    /** {@return the number of chunks taken from the range so far; the slab never gives one back to the range} */
    public int chunksTaken() {
        return chunksTaken;
    }

    /** {@return the number of chunks that hold no live slot and are not purged: what {@link #purge()} would purge} */
    public int emptyChunks() {
        return emptyCount;
    }

    /** {@return the bytes purged since the slab was made, counting a chunk each time it is purged} */
    public long purgedBytes() {
        return purgedBytes;
    }

    @Override
    public boolean freesIndividually() {
        return true;
    }

    /** {@inheritDoc} Here: every chunk the range can give, taken or not. */
    @Override
    public long capacity() {
        return (long) chunkLimit * slotsPerChunk * slotSize;
    }

    /**
     * Closes the slab: every segment it handed out becomes inaccessible, and the chunks it took read zero again:
     * over an {@link OsBacked} range their pages go back to the operating system, over any other they are
     * zeroed. The range is released and left open.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public void close() {
        checkOpen();
        slots.closeArena();
        closed = true;
        slots.release(wipeTaken, listener);
    }

    /** Makes the chunks taken read zero: their pages go back to the operating system, or they are zeroed. */
    private void wipeTaken() {
        long used = chunksTaken * chunkSize;
        if (os != null) {
            os.releasePages(0, used);
        } else {
            range.zero(0, used);
        }
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ExtendableSlab[" + liveCount + " live x " + ByteSizes.format(slotSize) + ", " + chunksTaken + " of "
                + chunkLimit + " chunks of " + ByteSizes.format(chunkSize) + " taken, " + emptyCount + " empty, purge "
                + policy + "]";
    }

    /** Builds an {@link ExtendableSlab}. Not thread-safe. */
    public static final class Builder {
        private final FixedRange range;
        private final long slotSize;
        private long chunkSize = -1;
        private PurgePolicy policy = PurgePolicy.never();
        private LongSupplier clock = System::nanoTime;
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
         * Sets the size of the chunks taken from the range: a multiple of the page size over an {@link OsBacked}
         * range (so a chunk's pages can be released alone) and at least a slot. The default is
         * {@link #DEFAULT_CHUNK_SIZE}, or the slot size rounded up to whole pages if that is larger, or the range
         * rounded down to whole pages if that is smaller.
         *
         * @param bytes the chunk size
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder chunkSize(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("chunkSize must be positive: " + bytes);
            }
            this.chunkSize = bytes;
            return this;
        }

        /**
         * Sets when empty chunks are purged; the default is {@link PurgePolicy#never()}.
         *
         * @param policy the purge policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is {@code null}
         */
        public Builder purge(PurgePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets the clock that {@link PurgePolicy#after} measures its delay against, in nanoseconds like
         * {@link System#nanoTime()} (the default); read only when a chunk empties and, while some chunk is
         * empty, on each call of the slab. Tests pass a clock of their own.
         *
         * @param nanoTime the clock
         * @return this builder
         * @throws NullPointerException if {@code nanoTime} is {@code null}
         */
        public Builder clock(LongSupplier nanoTime) {
            this.clock = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /**
         * Sets the listener that hears allocations, frees and close, on the thread that uses the slab. With one,
         * the slab records each live block's size (an {@code int} of heap per slot taken), so the listener hears
         * a block as it is now and {@code deallocate} refuses a segment of another size than its block's (a
         * slice); it then uses at most {@code Integer.MAX_VALUE - 8} slots.
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
         * Hands out freed slots without zeroing them, as {@link Slab#withoutZeroing} does. A purged chunk still
         * reads zero over an {@link OsBacked} range.
         *
         * <p>This method is <em>restricted</em>: a slot shows its previous user's bytes, so it may be called
         * only from a module with native access.
         *
         * @return this builder
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder withoutZeroing() {
            Restricted.check("ExtendableSlab.Builder.withoutZeroing()");
            this.zeroing = false;
            return this;
        }

        /**
         * {@return the slab}
         *
         * @throws IllegalArgumentException if the slot size is larger than the range, the chunk size is smaller
         *         than a slot, more than the range, not a
         *         multiple of the range's page size, or holds more than {@code Integer.MAX_VALUE} slots
         * @throws IllegalStateException if the range is closed or in use
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public ExtendableSlab build() {
            Restricted.range(range, "ExtendableSlab");
            // Checked before rounding up: a slotSize near Long.MAX_VALUE would overflow there.
            if (slotSize > range.byteSize()) {
                throw new IllegalArgumentException("slotSize must be at most the range's " + range.byteSize()
                        + " bytes: " + slotSize);
            }
            long size = Checks.alignUp(slotSize, 8);
            long page = range instanceof OsBacked o ? o.pageSize() : 4096;
            long chunk = chunkSize > 0 ? chunkSize : Math.min(Math.max(DEFAULT_CHUNK_SIZE, Checks.alignUp(size, page)),
                    Math.max(Checks.alignDown(range.byteSize(), page), page));
            if (chunk < size || chunk > range.byteSize()) {
                throw new IllegalArgumentException("chunkSize must hold a slot of " + size + " bytes and fit the range's "
                        + range.byteSize() + " bytes: " + chunk);
            }
            if (range instanceof OsBacked && chunk % page != 0) {
                throw new IllegalArgumentException("chunkSize must be a multiple of the range's " + page
                        + "-byte pages: " + chunk);
            }
            if (chunk / size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("chunkSize holds too many slots: " + chunk / size + " of " + size
                        + " bytes; at most " + Integer.MAX_VALUE);
            }
            return new ExtendableSlab(this, size, chunk);
        }
    }
}
