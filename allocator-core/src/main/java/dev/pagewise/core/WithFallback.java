package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An allocator that asks a primary first and a secondary when the primary has no room: a small fast arena
 * backed by a large general one, or a slab backed by the OS. The primary is asked with
 * {@link Allocator#tryAllocate}, so a miss costs no exception; chains of any length are fallbacks of
 * fallbacks ({@link #of(Allocator, Allocator, Allocator...)}).
 *
 * <p>{@link #deallocate} goes to the part that {@linkplain Allocator#owns owns} the block, so each part
 * frees (or ignores) its own blocks by its own rules. The fallback owns nothing itself and closes nothing: its
 * parts are the caller's to close, after the fallback is no longer used. It is as thread-safe as its parts,
 * and zeroes what they zero.
 *
 * <p>Wrappers that count frees ({@link Observed}, {@link Quarantine}) see a fallback that frees individually
 * when either part does; over a bump arena and a slab they would count frees of arena blocks the arena
 * ignores. For exact counts, give each part its own {@link AllocationListener} when it is built.
 *
 * {@snippet lang=java :
 * try (NativeBacked small = NativeBacked.allocate(64 << 10);
 *      NativeBacked large = NativeBacked.allocate(1 << 20);
 *      BumpArena fast = BumpArena.over(small);
 *      Slab slow = Slab.over(large, 256 << 10)) {
 *     Allocator allocator = WithFallback.of(fast, slow);
 *     MemorySegment small = allocator.allocate(100);      // from the arena
 *     MemorySegment big = allocator.allocate(128 << 10);  // too big for the arena: from the slab
 *     allocator.deallocate(big);                          // back to the slab
 * }
 * }
 */
public final class WithFallback implements Allocator {

    private final Allocator primary;
    private final Allocator secondary;

    private WithFallback(Allocator primary, Allocator secondary) {
        this.primary = primary;
        this.secondary = secondary;
    }

    /**
     * {@return an allocator that tries {@code primary}, then {@code secondary}}
     *
     * @param primary   asked first, with {@code tryAllocate}
     * @param secondary asked when the primary has no room
     * @throws NullPointerException if either is {@code null}
     * @throws IllegalArgumentException if they are the same allocator
     */
    public static WithFallback of(Allocator primary, Allocator secondary) {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(secondary, "secondary");
        if (primary == secondary) {
            throw new IllegalArgumentException("primary and secondary are the same allocator: " + primary);
        }
        return new WithFallback(primary, secondary);
    }

    /**
     * {@return an allocator that tries {@code first}, then {@code second}, then each of {@code more} in order}
     *
     * @param first  asked first
     * @param second asked when the first has no room
     * @param more   asked in order when those before have no room
     * @throws NullPointerException if any of them is {@code null}
     * @throws IllegalArgumentException if the same allocator appears twice
     */
    public static WithFallback of(Allocator first, Allocator second, Allocator... more) {
        Objects.requireNonNull(more, "more");
        Allocator[] all = new Allocator[more.length + 2];
        all[0] = Objects.requireNonNull(first, "first");
        all[1] = Objects.requireNonNull(second, "second");
        for (int i = 0; i < more.length; i++) {
            all[i + 2] = Objects.requireNonNull(more[i], "more[" + i + "]");
        }
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                if (all[i] == all[j]) {
                    throw new IllegalArgumentException("allocator " + i + " and " + j + " are the same: " + all[i]);
                }
            }
        }
        Allocator chain = all[all.length - 1];
        for (int i = all.length - 2; i >= 0; i--) {
            chain = new WithFallback(all[i], chain);
        }
        return (WithFallback) chain;
    }

    /** {@return the allocator asked first} */
    public Allocator primary() {
        return primary;
    }

    /** {@return the allocator asked when the primary has no room; a {@code WithFallback} in a longer chain} */
    public Allocator secondary() {
        return secondary;
    }

    /**
     * {@inheritDoc} Tries the primary, then the secondary; a refusal names the whole chain.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = tryAllocate(byteSize, byteAlignment);
        if (segment == null) {
            throw new AllocationFailedException(toString(), byteSize, byteAlignment, -1, capacity());
        }
        return segment;
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        MemorySegment segment = primary.tryAllocate(byteSize, byteAlignment);
        return segment != null ? segment : secondary.tryAllocate(byteSize, byteAlignment);
    }

    /**
     * Frees {@code segment} to the part that owns it.
     *
     * @param segment a block this fallback handed out
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if no part owns it and this fallback {@linkplain #freesIndividually()
     *         frees individually}; nothing changes then
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (primary.owns(segment)) {
            primary.deallocate(segment);
        } else if (secondary.owns(segment)) {
            secondary.deallocate(segment);
        } else if (freesIndividually()) {
            throw new IllegalArgumentException("not a live block of " + this + ": 0x"
                    + Long.toHexString(segment.address()) + " (" + segment.byteSize() + " bytes)");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the part that owns the block resizes it by its own rules (in place, or moving within the part); if
     * it has no room, the block moves to whichever part of the chain has room, and the owning part frees the old
     * one. Zeroes past the old size where that part zeroes.
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        Resizing.check(this, segment, newSize);
        Allocator part = primary.owns(segment) ? primary : secondary;
        try {
            return part.reallocate(segment, newSize);
        } catch (AllocationFailedException e) {
            MemorySegment moved = tryAllocate(newSize, Resizing.alignment(segment));
            if (moved == null) {
                throw e;
            }
            return Resizing.finishMove(part, segment, this, moved, newSize);
        }
    }

    /** {@inheritDoc} Here: what the part that owns the block says. */
    @Override
    public long usableSize(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        Resizing.checkOwned(this, segment);
        return (primary.owns(segment) ? primary : secondary).usableSize(segment);
    }

    /** Resizes in place through the part that owns the block, or {@return {@code null}} */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        return Resizing.inPlace(primary.owns(segment) ? primary : secondary, segment, newSize);
    }

    /** {@return whether either part frees individually} */
    @Override
    public boolean freesIndividually() {
        return primary.freesIndividually() || secondary.freesIndividually();
    }

    @Override
    public boolean owns(MemorySegment segment) {
        return primary.owns(segment) || secondary.owns(segment);
    }

    /** {@return the sum of the parts' capacities, or {@code Long.MAX_VALUE} if it overflows} */
    @Override
    public long capacity() {
        long sum = primary.capacity() + secondary.capacity();
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "WithFallback[" + primary + " -> " + secondary + "]";
    }
}
