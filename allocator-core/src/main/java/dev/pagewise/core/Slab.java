package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.BlockSizes;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Fixed-size slots over a {@link FixedRange}, allocated and freed in O(1): up to 64 freed slots are kept by index
 * on the heap, a stack taken first; the slots freed while it is full are linked through an intrusive free list
 * (the link to the next free slot lives in the free slot itself), taken next.
 *
 * <p>A slot is zeroed when it is freed, so every slot handed out reads zero (unless the slab was made
 * {@linkplain #withoutZeroing without zeroing}; {@link #allocateZeroed} then fills). A block
 * {@linkplain #reallocate resizes} in place within its slot. Slots never handed out are
 * taken in address order, committing the range as they go. {@link #deallocate} detects a double free
 * and a segment that is not one of this slab's slots, with {@link IllegalArgumentException}, through a
 * bitmap of live slots, and leaves the slab unchanged.
 *
 * <p>Segments share one scope, the slab's, ended by {@link #close()}: after that no segment of the slab
 * can be used, whatever comes next in the range. A freed slot's old segment is not revoked while the slab
 * is open: a write through it lands in the slot, and once the slot is handed out again, freeing the old
 * segment frees the new owner's block (a slab cannot tell the two apart; keep one owner per segment). The first eight bytes of a free slot on the list link it
 * to the next, and each link is checked when it is followed: a link that a stray write changed throws
 * {@link MemoryCorruptionException} and is never followed, so no live slot is handed out twice.
 * Not thread-safe.
 */
public final class Slab implements Allocator, AutoCloseable {

    /** The most slots a slab may have: the live-slot bitmap then takes 512 MiB of heap. */
    public static final long MAX_SLOTS = 1L << 32;

    /** The most slots a slab that records block sizes (one with a listener) may have: an array's length. */
    private static final long MAX_RECORDED_SLOTS = BlockSizes.MAX_SLOTS;

    private static final long NONE = -1;
    /** How many freed slots {@link #recent} holds: 512 bytes of heap per slab. */
    static final int RECENT = 64;

    /** The path without the listener, held once: see {@link Listening#allocate}. */
    private final Listening.Raw unlistened = this::unlistened;
    /** The in-place resize, held once for the same reason. */
    private final Listening.InPlace resizedInSlot = this::resizedInSlot;
    private final FixedRange range;
    private final SlotMemory slots;
    private final MemorySegment memory;
    private final long baseAddress;
    private final AllocationListener listener;
    private final long slotSize;
    private final long slotAlignment;
    private final long slotCount;
    private final int slotShift;
    private final boolean zeroing;
    private final long[] live;
    /**
     * The size of each live block, kept only when a listener hears this slab (a size-classed allocator's slab,
     * when that allocator has one): then a listener hears a block as it is now, and a segment of another size
     * (a stale one after a resize, a slice) is refused. {@code null} when nobody listens, so an unheard slab
     * spends no heap on it.
     */
    private final BlockSizes sizes;
    /**
     * Freed slots, up to {@link #RECENT}, the last pushed on top: taken first, with no access to slot memory.
     * Through the intrusive list alone, whose link must be read, checked and cleared through the slab's segment,
     * an allocation and a free cost almost twice as much, and C2 would not inline a size-classed allocation whole
     * (JMH: {@code SizeClassedBench}, 64 B without zeroing, 19.6 -> 11.7 ns; the CHANGELOG has the command). Its
     * indices live on the heap, where no stray write can change them. Frees while it is full go to the list.
     */
    private final long[] recent = new long[RECENT];
    private int recentCount;
    private long freeHead = NONE;
    private long fresh;
    private long liveCount;
    private long committedEnd;
    private boolean closed;

    private Slab(FixedRange range, long slotSize, boolean zeroing, AllocationListener listener, boolean recordSizes) {
        this.range = range;
        this.listener = Listening.orNull(listener);
        this.slotSize = slotSize;
        this.zeroing = zeroing;
        this.slotShift = SlotMemory.shiftOf(slotSize);
        this.slotCount = range.byteSize() / slotSize;
        this.live = new long[LiveSlots.words(slotCount)];
        this.sizes = recordSizes || this.listener != null ? new BlockSizes(slotSize, slotCount) : null;
        this.slots = SlotMemory.take(range);
        this.memory = slots.memory();
        this.baseAddress = slots.baseAddress();
        this.slotAlignment = slots.slotAlignment(slotSize);
        this.committedEnd = range.committed();
    }

    /**
     * {@return a slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) over {@code range}}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or larger than the range, or the
     *         range would hold more than {@link #MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static Slab over(FixedRange range, long slotSize) {
        return create(range, slotSize, true, AllocationListener.NOOP, false);
    }

    /**
     * {@return a slab like {@link #over(FixedRange, long)} whose allocations, frees and close
     * {@code listener} hears} The slab records each live block's size (an {@code int} of heap per slot, a
     * {@code long} for slots over 2 GiB), so that the listener hears a block as it is now, and a segment of
     * another size than its block's (the stale segment of a block resized since, a slice) is refused by
     * {@link #deallocate} and {@link #reallocate} with {@link IllegalArgumentException}.
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @param listener the listener, called on the thread that uses the slab
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or larger than the range, or the
     *         range would hold more than {@link #MAX_SLOTS} slots, or (with a listener other than
     *         {@link AllocationListener#NOOP}) more than {@code Integer.MAX_VALUE - 8}
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static Slab over(FixedRange range, long slotSize, AllocationListener listener) {
        return create(range, slotSize, true, Objects.requireNonNull(listener, "listener"), false);
    }

    /**
     * {@return a slab like {@link #over}, except that freed slots are not zeroed: a slot handed out holds
     * whatever its previous user left, as with {@code malloc} or Netty's pooled buffers} For callers that
     * write every byte they read.
     *
     * <p>This method is <em>restricted</em>: a slot shows its previous user's bytes, so it may be called
     * only from a module with native access.
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws IllegalCallerException if the caller's module has no native access
     */
    public static Slab withoutZeroing(FixedRange range, long slotSize) {
        Restricted.check("Slab.withoutZeroing(FixedRange, long)");
        return create(range, slotSize, false, AllocationListener.NOOP, false);
    }

    /**
     * Creates a slab; {@code recordSizes} makes it record each block's size even without a listener of its own
     * (a size-classed allocator's slab, which that allocator's listener hears).
     */
    static Slab create(FixedRange range, long slotSize, boolean zeroing, AllocationListener listener,
                       boolean recordSizes) {
        Restricted.range(Objects.requireNonNull(range, "range"), "Slab");
        long size = SlotMemory.roundedSlotSize(range, slotSize, MAX_SLOTS);
        if ((recordSizes || listener != AllocationListener.NOOP) && range.byteSize() / size > MAX_RECORDED_SLOTS) {
            throw new IllegalArgumentException("too many slots for a slab that records block sizes (it has a listener): "
                    + range.byteSize() / size + " of " + size + " bytes; at most " + MAX_RECORDED_SLOTS);
        }
        return new Slab(range, size, zeroing, listener, recordSizes);
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
        Checks.checkRequest(byteSize, byteAlignment);
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        MemorySegment segment = take(byteSize, byteAlignment);
        if (segment == null && orThrow) {
            throw new AllocationFailedException(name(), byteSize, byteAlignment, (slotCount - liveCount) * slotSize,
                    slotCount * slotSize);
        }
        return segment;
    }

    private String name() {
        return "Slab(" + slotSize + " B slots, align " + slotAlignment + ")";
    }

    /**
     * Takes a slot for a valid request to an open slab, with no listener to hear it; {@return the block, or
     * {@code null} when it does not fit a slot or the slab is full} {@link SizeClassed} calls it directly: it has
     * checked the request and that it is open, and does the hearing itself.
     */
    MemorySegment take(long byteSize, long byteAlignment) {
        if (byteSize > slotSize || byteAlignment > slotAlignment) {
            return null;
        }
        long index = recentCount > 0 ? recent[--recentCount] : takeOlder();
        if (index < 0) {
            return null;
        }
        LiveSlots.set(live, index);
        liveCount++;
        long offset = offsetOf(index);
        record(offset, byteSize);
        return memory.asSlice(offset, byteSize);
    }

    /**
     * Takes a slot from the free list, else a slot never handed out; {@return its index, or -1 when the slab is
     * full} Out of {@link #take}, so that the common path stays small enough for C2 to inline into callers.
     */
    private long takeOlder() {
        if (freeHead != NONE) {
            long index = freeHead;
            long offset = index * slotSize;
            long next = memory.get(JAVA_LONG_UNALIGNED, offset);
            if (next != NONE && (next < 0 || next >= fresh || LiveSlots.isLive(live, next))) {
                // A write after free changed the link: never follow it. The slots behind it are lost.
                freeHead = NONE;
                throw slots.linkWrittenAfterFree("Slab", index, offset, next, "; the free list behind it is dropped");
            }
            freeHead = next;
            memory.set(JAVA_LONG_UNALIGNED, offset, 0L);
            return index;
        }
        if (fresh < slotCount) {
            long index = fresh;
            long offset = index * slotSize;
            if (offset + slotSize > committedEnd) {
                range.commit(offset, slotSize);
                committedEnd = range.committed();
            }
            fresh++;
            return index;
        }
        return -1;
    }

    /** {@return the offset of slot {@code index}: a shift when the slot size is a power of two} */
    private long offsetOf(long index) {
        return slotShift >= 0 ? index << slotShift : index * slotSize;
    }

    /**
     * Frees a slot: it is zeroed and goes on top of the stack of freed slots, or, while that is full, to the head
     * of the free list.
     *
     * @throws IllegalArgumentException if {@code segment} is not a live slot of this slab, or (when the slab
     *         records sizes: it has a listener) not of its block's size now; nothing changes then
     * @throws IllegalStateException if the slab is closed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        free(segment);
    }

    /** Frees a slot of an open slab, as {@link #deallocate} does; {@link SizeClassed} calls it directly. */
    void free(MemorySegment segment) {
        long offset = segment.address() - baseAddress;
        long index = SlotMemory.indexOf(offset, slotSize, slotShift);
        if (offset < 0 || index >= slotCount || offsetOf(index) != offset || segment.byteSize() > slotSize
                || !slots.isOwnSegment(segment)) {
            throw slots.notHandedOut(segment, "of " + slotCount + " x " + slotSize + " B");
        }
        if (!LiveSlots.isLive(live, index)) {
            throw new IllegalArgumentException("double free of slot " + index + " at 0x"
                    + Long.toHexString(segment.address()));
        }
        checkRecordedSize(segment, index);
        LiveSlots.clear(live, index);
        liveCount--;
        if (zeroing) {
            Zeroing.zero(memory, offset, slotSize);
        }
        if (recentCount < RECENT) {
            recent[recentCount++] = index;
        } else {
            memory.set(JAVA_LONG_UNALIGNED, offset, freeHead);
            freeHead = index;
        }
        if (listener != null) {
            listener.onRelease(segment);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a block resizes in place while it fits its slot; the bytes it gives up in a shrink are zeroed
     * (unless the slab was made without zeroing), so a later growth reads zero. A block can never outgrow its
     * slot here: that throws {@link AllocationFailedException} and leaves the block as it was. The old segment is
     * not revoked (it stays a view of the slot). Listeners hear {@link AllocationListener#onResize}. A slab with a
     * listener refuses a segment of another size than its block's now (a stale one, a slice) with
     * {@link IllegalArgumentException}.
     *
     * @throws IllegalStateException if the slab is closed
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        checkOpen();
        Objects.requireNonNull(segment, "segment");
        if (owns(segment)) {
            checkRecordedSize(segment);
        }
        return Resizing.reallocate(this, segment, newSize);
    }

    /**
     * {@inheritDoc} Here: the slot size.
     *
     * @throws IllegalStateException if the slab is closed
     */
    @Override
    public long usableSize(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        Resizing.checkOwned(this, segment);
        return slotSize;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
    }

    /** Resizes a checked live block in place if it fits its slot; {@return it, or {@code null}} */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        if (newSize > slotSize) {
            return null;
        }
        if (listener == null) {
            return resizedInSlot(segment, newSize);
        }
        return Listening.resizeInPlace(listener, this, segment, newSize, resizedInSlot);
    }

    private MemorySegment resizedInSlot(MemorySegment segment, long newSize) {
        long offset = segment.address() - baseAddress;
        if (zeroing && newSize < segment.byteSize()) {
            Zeroing.zero(memory, offset + newSize, segment.byteSize() - newSize);
        }
        record(offset, newSize);
        return memory.asSlice(offset, newSize);
    }

    /** {@return whether slots read zero} */
    boolean zeroes() {
        return zeroing;
    }

    /** {@return whether {@code segment} is a live slot of this slab: one {@link #deallocate} would take} */
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        long offset = segment.address() - baseAddress;
        return !closed && offset >= 0 && offset < slotCount * slotSize && offset % slotSize == 0
                && segment.byteSize() <= slotSize && LiveSlots.isLive(live, offset / slotSize)
                && slots.isOwnSegment(segment);
    }

    /** {@return the whole slot behind {@code segment}, a live slot of this slab: what a wipe of it must cover} */
    MemorySegment slotOf(MemorySegment segment) {
        return memory.asSlice(segment.address() - baseAddress, slotSize);
    }

    /** {@return the size of a slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the largest alignment every slot has} */
    public long slotAlignment() {
        return slotAlignment;
    }

    /** {@return the number of live slots} */
    public long liveSlots() {
        return liveCount;
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
     * Closes the slab: every segment it handed out becomes inaccessible, the slots it used are zeroed, so
     * the range reads zero again, and the range is released.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        slots.closeArena();
        closed = true;
        slots.release(fresh * slotSize, listener);
    }

    /** Records the size of the block at {@code offset}, if this slab records sizes. */
    private void record(long offset, long byteSize) {
        if (sizes != null) {
            sizes.set(SlotMemory.indexOf(offset, slotSize, slotShift), byteSize);
        }
    }

    /**
     * Refuses {@code segment}, at the start of a live slot, if this slab records sizes and the block there has
     * another size now: the caller holds a stale segment or a slice, which a listener must not hear.
     *
     * @throws IllegalArgumentException if the sizes differ
     */
    void checkRecordedSize(MemorySegment segment) {
        checkRecordedSize(segment, SlotMemory.indexOf(segment.address() - baseAddress, slotSize, slotShift));
    }

    private void checkRecordedSize(MemorySegment segment, long index) {
        if (sizes != null) {
            sizes.check(segment, index);
        }
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Slab[" + liveCount + " of " + slotCount + " x " + ByteSizes.format(slotSize) + "]";
    }
}
