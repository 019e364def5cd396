package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Holds freed blocks back from the inner allocator until more than {@code maxBlocks} blocks or
 * {@code maxBytes} bytes are waiting, poisoned. When a block leaves quarantine (or on {@link #verify()})
 * its poison is checked: a write after free throws {@link MemoryCorruptionException} naming the block,
 * the first changed byte and, with a {@link LeakTracking} beneath, where the block was allocated.
 * Not thread-safe.
 */
public final class Quarantine extends AllocatorWrapper {

    private final int maxBlocks;
    private final long maxBytes;
    private final byte poison;
    private final LeakTracking sites;
    private final ArrayDeque<MemorySegment> held = new ArrayDeque<>();
    private final Set<Long> heldAddresses = new HashSet<>();
    private long heldBytes;
    private long corruptions;

    private Quarantine(Allocator inner, int maxBlocks, long maxBytes, byte poison, LeakTracking sites) {
        super(inner);
        this.maxBlocks = maxBlocks;
        this.maxBytes = maxBytes;
        this.poison = poison;
        this.sites = sites;
    }

    /**
     * {@return a quarantine over {@code inner}}
     *
     * @param inner     the allocator whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @throws NullPointerException if {@code inner} is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static Quarantine over(Allocator inner, int maxBlocks, long maxBytes) {
        return create(Objects.requireNonNull(inner, "inner"), maxBlocks, maxBytes, null);
    }

    /**
     * {@return a quarantine over {@code arena}, still an arena}
     *
     * @param <A>       the arena's type
     * @param arena     the arena whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @throws NullPointerException if {@code arena} is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<Quarantine> over(
            A arena, int maxBlocks, long maxBytes) {
        return WrappedArena.of(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), maxBlocks, maxBytes), arena);
    }

    /**
     * {@return a quarantine over {@code arena}, still an arena that resets}
     *
     * @param <A>       the arena's type
     * @param arena     the arena whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @throws NullPointerException if {@code arena} is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<Quarantine> over(
            A arena, int maxBlocks, long maxBytes) {
        return WrappedArena.resettable(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), maxBlocks, maxBytes), arena);
    }

    /**
     * {@return a quarantine over {@code inner} whose reports name where a corrupted block was allocated}
     *
     * @param inner     the allocator whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @param sites     the leak tracker beneath, which records allocation sites
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static Quarantine over(Allocator inner, int maxBlocks, long maxBytes, LeakTracking sites) {
        return create(Objects.requireNonNull(inner, "inner"), maxBlocks, maxBytes, Objects.requireNonNull(sites, "sites"));
    }

    /**
     * {@return a quarantine over {@code arena} whose reports name allocation sites, still an arena}
     *
     * @param <A>       the arena's type
     * @param arena     the arena whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @param sites     the leak tracker beneath, which records allocation sites
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<Quarantine> over(
            A arena, int maxBlocks, long maxBytes, LeakTracking sites) {
        return WrappedArena.of(over((Allocator) Objects.requireNonNull(arena, "arena"), maxBlocks, maxBytes, sites), arena);
    }

    /**
     * {@return a quarantine over {@code arena} whose reports name allocation sites, still an arena that resets}
     *
     * @param <A>       the arena's type
     * @param arena     the arena whose frees are held back
     * @param maxBlocks the most freed blocks held back at once
     * @param maxBytes  the most freed bytes held back at once
     * @param sites     the leak tracker beneath, which records allocation sites
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if a bound is negative
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<Quarantine> over(
            A arena, int maxBlocks, long maxBytes, LeakTracking sites) {
        return WrappedArena.resettable(over((Allocator) Objects.requireNonNull(arena, "arena"), maxBlocks, maxBytes, sites),
                arena);
    }

    private static Quarantine create(Allocator inner, int maxBlocks, long maxBytes, LeakTracking sites) {
        if (maxBlocks < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("bounds must not be negative: maxBlocks=" + maxBlocks
                    + " maxBytes=" + maxBytes);
        }
        return new Quarantine(inner, maxBlocks, maxBytes, PoisonOnFree.DEFAULT_POISON, sites);
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        return innerAllocate(byteSize, byteAlignment, orThrow);
    }

    /**
     * Poisons the block and holds it; releases the oldest blocks past the bounds, checking their poison. A
     * block the inner allocator does not {@linkplain Allocator#owns own} goes to it untouched, to be rejected
     * or ignored there.
     *
     * @throws IllegalArgumentException if the block is already in quarantine (a double free); nothing changes
     * @throws MemoryCorruptionException if a block leaving quarantine was written after it was freed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() == 0) {
            // nothing to poison or check; an empty block may share its address with a live one
            inner.deallocate(segment);
            return;
        }
        if (heldAddresses.contains(segment.address())) {
            throw new IllegalArgumentException("double free: the block at 0x" + Long.toHexString(segment.address())
                    + " is already in quarantine");
        }
        if (!inner.owns(segment)) {
            inner.deallocate(segment);
            return;
        }
        segment.fill(poison);
        held.addLast(segment);
        heldAddresses.add(segment.address());
        heldBytes += segment.byteSize();
        while (held.size() > maxBlocks || heldBytes > maxBytes) {
            MemorySegment oldest = held.removeFirst();
            heldAddresses.remove(oldest.address());
            heldBytes -= oldest.byteSize();
            check(oldest);
            inner.deallocate(oldest);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: in place where the inner allocator resizes in place; a block that moves leaves its old copy in
     * quarantine, poisoned, as {@link #deallocate} does, so a write through the old segment is caught.
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        return Resizing.reallocate(this, segment, newSize);
    }

    @Override
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        return Resizing.inPlace(inner, segment, newSize);
    }

    /** {@inheritDoc} Here: what the inner allocator says; a block in quarantine is not owned. */
    @Override
    public long usableSize(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        Resizing.checkOwned(this, segment);
        return inner.usableSize(segment);
    }

    @Override
    boolean zeroes() {
        return Resizing.zeroes(inner);
    }

    /**
     * Checks the poison of every held block.
     *
     * @throws MemoryCorruptionException for the first block written after it was freed
     */
    public void verify() {
        for (MemorySegment segment : held) {
            check(segment);
        }
    }

    private void check(MemorySegment segment) {
        byte[] expected = new byte[(int) Math.min(segment.byteSize(), Integer.MAX_VALUE - 8)];
        Arrays.fill(expected, poison);
        long at = segment.mismatch(MemorySegment.ofArray(expected));
        if (at >= 0) {
            corruptions++;
            StackTraceElement[] site = sites == null ? null : sites.siteOf(segment.address());
            throw new MemoryCorruptionException("write after free: block at 0x" + Long.toHexString(segment.address())
                    + " (" + ByteSizes.format(segment.byteSize()) + ") changed at offset " + at + " to 0x"
                    + Integer.toHexString(segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) & 0xFF)
                    + (site == null ? "" : "; allocated at " + Arrays.toString(site)), segment.address());
        }
    }

    /**
     * Verifies every held block, resets the inner allocator and then drops the held blocks. If the inner
     * allocator cannot reset, nothing changes.
     *
     * @throws UnsupportedOperationException if the inner allocator is not {@link Resettable}
     * @throws MemoryCorruptionException for the first held block written after it was freed; nothing is
     *         reset then
     */
    @Override
    public ResetReport reset() {
        Resettable target = resettable();
        verify();
        ResetReport report = target.reset();
        held.clear();
        heldAddresses.clear();
        heldBytes = 0;
        return report;
    }

    /** {@inheritDoc} A block in quarantine is no longer live. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        return (segment.byteSize() == 0 || !heldAddresses.contains(segment.address())) && inner.owns(segment);
    }

    /** {@return the number of blocks held back} */
    public int heldBlocks() {
        return held.size();
    }

    /** {@return the writes after free detected so far} */
    public long corruptions() {
        return corruptions;
    }
}
