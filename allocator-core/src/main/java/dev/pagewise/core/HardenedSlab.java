package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.SipHash;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A {@link Slab} whose free list a stray write cannot steer: fixed-size slots over a {@link FixedRange},
 * allocated and freed in O(1), in one of two modes.
 *
 * <ul>
 * <li>{@link #over(FixedRange, long) Split metadata}: the free list is a stack of slot indices on the Java
 *     heap, beside the live-slot bitmap, outside the data pages. No write into the range, an overflow from
 *     a live block or a write after free, can change which slot is handed out next.</li>
 * <li>{@link #macLinked(FixedRange, long, SecureRandom) MAC'd links}: the free list stays in the free slots
 *     (no heap beyond the bitmap), and each link carries a SipHash-2-4 tag over the slot's address and the
 *     link, under a 128-bit key the slab keeps. A link a stray write changed fails its tag when it is
 *     followed: {@link MemoryCorruptionException} naming the slot and its address, and the link is not
 *     followed; the free list behind it is dropped (those slots are lost, none is handed out twice).
 *     Forging a link needs the key.</li>
 * </ul>
 *
 * <p>Every slot handed out reads zero: a reused slot is zeroed when it is taken, so bytes written through
 * a stale segment after a free never reach the next owner. A freed slot keeps its bytes until then; wrap in
 * {@link ZeroizeOnFree} to wipe them at the free. {@link #deallocate} detects a double free and a segment
 * that is not one of this slab's slots, with {@link IllegalArgumentException}, and leaves the slab
 * unchanged. Segments share the slab's scope, ended by {@link #close()}. Not thread-safe.
 */
public final class HardenedSlab implements Allocator, AutoCloseable {

    /** The most slots a hardened slab may have: its free-list stack then takes 4 GiB of heap. */
    public static final long MAX_SLOTS = 1L << 30;

    private static final long NONE = -1;
    /** Bytes of a free slot a MAC'd link takes: the next slot's index, then its tag. */
    private static final long LINK_BYTES = 16;

    private final FixedRange range;
    private final SlotMemory slots;
    private final MemorySegment memory;
    private final long baseAddress;
    private final long slotSize;
    private final int slotShift;
    private final long slotAlignment;
    private final long slotCount;
    private final boolean macLinked;
    private final long k0;
    private final long k1;
    private final long[] live;
    /** Split metadata: free slot indices, the top at {@code freeTop - 1}. */
    private int[] freeStack;
    private int freeTop;
    /** MAC'd links: the first free slot, or {@link #NONE}. */
    private long freeHead = NONE;
    private long fresh;
    private long liveCount;
    private long committedEnd;
    private boolean closed;

    private HardenedSlab(FixedRange range, long slotSize, boolean macLinked, long k0, long k1) {
        this.range = range;
        this.slotSize = slotSize;
        this.slotShift = SlotMemory.shiftOf(slotSize);
        this.macLinked = macLinked;
        this.k0 = k0;
        this.k1 = k1;
        this.slotCount = range.byteSize() / slotSize;
        this.live = new long[LiveSlots.words(slotCount)];
        this.freeStack = macLinked ? null : new int[(int) Math.min(slotCount, 64)];
        this.slots = SlotMemory.take(range);
        this.memory = slots.memory();
        this.baseAddress = slots.baseAddress();
        this.slotAlignment = slots.slotAlignment(slotSize);
        this.committedEnd = range.committed();
    }

    /**
     * {@return a hardened slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) over
     * {@code range}, its free list kept on the heap, apart from the slots}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or, rounded, larger than the range,
     *         or the range would hold more than {@link #MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed or held by another allocator
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static HardenedSlab over(FixedRange range, long slotSize) {
        return create(range, slotSize, false, 0, 0);
    }

    /**
     * {@return a hardened slab of {@code slotSize}-byte slots (rounded up to a multiple of 8, at least 16) over
     * {@code range}, its free-list links tagged with SipHash-2-4 under {@code key}}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @param key      the 16-byte MAC key; copied. Keep it secret: who knows it can forge links
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is not 16 bytes long, {@code slotSize} is not positive
     *         or, rounded, larger than the range, or the range would hold more than {@link #MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed or held by another allocator
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static HardenedSlab macLinked(FixedRange range, long slotSize, byte[] key) {
        if (Objects.requireNonNull(key, "key").length != 16) {
            throw new IllegalArgumentException("key must be 16 bytes: " + key.length);
        }
        MemorySegment k = MemorySegment.ofArray(key.clone());
        return create(range, slotSize, true, k.get(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0),
                k.get(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
    }

    /**
     * {@return a hardened slab like {@link #macLinked(FixedRange, long, byte[])} with a key drawn from
     * {@code random}}
     *
     * @param range    the memory to carve into slots; held until the slab is closed, and left open
     * @param slotSize the size of a slot, in bytes
     * @param random   the source of the key
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code slotSize} is not positive or, rounded, larger than the range,
     *         or the range would hold more than {@link #MAX_SLOTS} slots
     * @throws IllegalStateException if the range is closed or held by another allocator
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static HardenedSlab macLinked(FixedRange range, long slotSize, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return create(range, slotSize, true, random.nextLong(), random.nextLong());
    }

    private static HardenedSlab create(FixedRange range, long slotSize, boolean macLinked, long k0, long k1) {
        Restricted.range(Objects.requireNonNull(range, "range"), "HardenedSlab");
        // Checked before rounding up: a slotSize near Long.MAX_VALUE would overflow there.
        if (slotSize > range.byteSize()) {
            throw new IllegalArgumentException("slotSize must be at most the range's " + range.byteSize()
                    + " bytes: " + slotSize);
        }
        long size = slotSize <= 0 ? slotSize : Math.max(macLinked ? LINK_BYTES : 8, Checks.alignUp(slotSize, 8));
        if (slotSize <= 0 || size > range.byteSize()) {
            throw new IllegalArgumentException("slotSize must be positive and, rounded up to " + size
                    + ", at most the range's " + range.byteSize() + " bytes: " + slotSize);
        }
        SlotMemory.checkSlotCount(range, size, MAX_SLOTS);
        return new HardenedSlab(range, size, macLinked, k0, k1);
    }

    /** {@inheritDoc} A request larger than a slot, or aligned more strictly, finds no room. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long offset = take(byteSize, byteAlignment);
        if (offset < 0) {
            throw new AllocationFailedException(name(), byteSize, byteAlignment, (slotCount - liveCount) * slotSize,
                    slotCount * slotSize);
        }
        return memory.asSlice(offset, byteSize);
    }

    /** {@inheritDoc} A request larger than a slot, or aligned more strictly, finds no room. */
    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        long offset = take(byteSize, byteAlignment);
        return offset < 0 ? null : memory.asSlice(offset, byteSize);
    }

    private String name() {
        return "HardenedSlab(" + slotSize + " B slots, align " + slotAlignment + (macLinked ? ", MAC'd links)" : ")");
    }

    /** Takes a slot; {@return its offset, or -1 when the slab is full} */
    private long take(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        if (closed) {
            throw new IllegalStateException("HardenedSlab is closed");
        }
        if (byteSize > slotSize || byteAlignment > slotAlignment) {
            return -1;
        }
        long index;
        if (!macLinked && freeTop > 0) {
            index = freeStack[--freeTop];
        } else if (macLinked && freeHead != NONE) {
            index = freeHead;
            long offset = index * slotSize;
            long next = memory.get(JAVA_LONG_UNALIGNED, offset);
            long tag = memory.get(JAVA_LONG_UNALIGNED, offset + 8);
            if (tag != tag(index, next)
                    || next != NONE && (next < 0 || next >= fresh || LiveSlots.isLive(live, next))) {
                // A write after free changed the link or its tag: never follow it. The slots behind it are lost.
                freeHead = NONE;
                throw slots.linkWrittenAfterFree("HardenedSlab", index, offset, next,
                        " and fails its MAC; the link is not followed and the free list behind it is dropped");
            }
            freeHead = next;
        } else if (fresh < slotCount) {
            index = fresh;
            long offset = index * slotSize;
            if (offset + slotSize > committedEnd) {
                range.commit(offset, slotSize);
                committedEnd = range.committed();
            }
            fresh++;
            markLive(index);
            return offset; // never handed out: reads zero as the range does
        } else {
            return -1;
        }
        long offset = index * slotSize;
        // zeroed when taken, not when freed: a write through a stale segment after the free is wiped too
        Zeroing.zero(memory, offset, slotSize);
        markLive(index);
        return offset;
    }

    private void markLive(long index) {
        LiveSlots.set(live, index);
        liveCount++;
    }

    private long tag(long index, long next) {
        return SipHash.hash(k0, k1, baseAddress + index * slotSize, next);
    }

    /**
     * Frees a slot: it goes to the top of the free list, and is zeroed when it is taken again.
     *
     * @throws IllegalArgumentException if {@code segment} is not a live slot of this slab (never handed out
     *         here, already freed, an interior slice); nothing changes then
     * @throws IllegalStateException if the slab is closed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (closed) {
            throw new IllegalStateException("HardenedSlab is closed");
        }
        long offset = segment.address() - baseAddress;
        long index = SlotMemory.indexOf(offset, slotSize, slotShift);
        if (offset < 0 || index >= slotCount || index * slotSize != offset || segment.byteSize() > slotSize
                || !slots.isOwnSegment(segment)) {
            throw slots.notHandedOut(segment, "of " + slotCount + " x " + slotSize + " B");
        }
        if (!LiveSlots.isLive(live, index)) {
            throw new IllegalArgumentException("double free of slot " + index + " at 0x"
                    + Long.toHexString(segment.address()));
        }
        if (macLinked) {
            memory.set(JAVA_LONG_UNALIGNED, offset, freeHead);
            memory.set(JAVA_LONG_UNALIGNED, offset + 8, tag(index, freeHead));
            freeHead = index;
        } else {
            if (freeTop == freeStack.length) {
                freeStack = Arrays.copyOf(freeStack, (int) Math.min(slotCount, 2L * freeStack.length));
            }
            freeStack[freeTop++] = (int) index;
        }
        LiveSlots.clear(live, index);
        liveCount--;
    }

    /** {@return whether {@code segment} is a live slot of this slab: one {@link #deallocate} would take} */
    @Override
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

    /** {@return the number of slots} */
    public long slotCount() {
        return slotCount;
    }

    /** {@return the number of live slots} */
    public long liveSlots() {
        return liveCount;
    }

    /** {@return whether the free list lives in the slots with MAC'd links, rather than on the heap} */
    public boolean macLinked() {
        return macLinked;
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
            throw new IllegalStateException("HardenedSlab is closed");
        }
        slots.closeArena();
        closed = true;
        slots.release(fresh * slotSize, null);
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "HardenedSlab[" + liveCount + " of " + slotCount + " x " + ByteSizes.format(slotSize)
                + (macLinked ? ", MAC'd links]" : ", split metadata]");
    }
}
