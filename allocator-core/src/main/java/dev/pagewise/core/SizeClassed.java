package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A set of {@link Slab}s by size class over one {@link FixedRange}: powers of two and the half-steps
 * between them (16, 24, 32, 48, 64, 96, ... B) up to a maximum, each class owning an equal share of the
 * range (rounded down so that an address finds its class with one look-up: up to 1/64 of a share goes unused,
 * under 4 KiB of a share below 256 KiB).
 * Larger requests, and requests a full class cannot serve, fall through to a large-object
 * allocator if one is given. {@link #deallocate} routes by address. Memory handed out reads zero
 * unless the allocator was built {@linkplain Builder#withoutZeroing() without zeroing} ({@link #allocateZeroed}
 * then fills) or its large-object allocator does not zero. A block {@linkplain #reallocate resizes} in place
 * within its class. Not thread-safe.
 */
public final class SizeClassed implements Allocator, AutoCloseable {

    /** The smallest class: 16 B. */
    public static final long MIN_CLASS = 16;
    /** The default largest class: 32 KiB. */
    public static final long DEFAULT_MAX_CLASS = 32 << 10;

    /** The path without the listener, held once: see {@link Listening#allocate}. */
    private final Listening.Raw unlistened = this::unlistened;
    private final long baseAddress;
    private final long[] classSizes;
    private final long maxClass;
    private final Slab[] slabs;
    private final FixedRange[] shares;
    private final Allocator large;
    private final AllocationListener listener;
    private final long sharesEnd;
    private final int granuleShift;
    private final boolean zeroing;
    /** The slab of each granule of the shares: {@link #deallocate} finds a block's slab by its address. */
    private final Slab[] slabOfGranule;
    private boolean closed;

    private SizeClassed(Builder b) {
        FixedRange range = b.range;
        this.large = b.large;
        this.listener = Listening.orNull(b.listener);
        this.classSizes = classSizes(b.maxClass);
        this.maxClass = b.maxClass;
        this.zeroing = b.zeroing;
        int n = classSizes.length;
        Shares cut = Shares.of(range.byteSize(), n);
        long shareSize = cut.size();
        if (shareSize < b.maxClass) {
            throw new IllegalArgumentException("range of " + range.byteSize() + " bytes too small for " + n
                    + " classes up to " + b.maxClass + " bytes");
        }
        this.baseAddress = Restricted.segmentOf(range).address();
        this.slabs = new Slab[n];
        this.shares = new FixedRange[n];
        this.sharesEnd = cut.end();
        this.granuleShift = cut.granuleShift();
        try {
            for (int i = 0; i < n; i++) {
                shares[i] = range.slice(i * shareSize, shareSize);
                // with a listener, each slab records its blocks' sizes: the listener hears a block as it is now
                slabs[i] = Slab.create(shares[i], classSizes[i], b.zeroing, AllocationListener.NOOP, listener != null);
            }
            this.slabOfGranule = cut.byGranule(slabs);
        } catch (RuntimeException | Error e) {
            closeAll();
            throw e;
        }
    }

    /**
     * {@return size classes up to 32 KiB over {@code range}, with no large-object allocator}
     *
     * @param range the memory to share among the classes; held until the allocator is closed, and left open
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if the range is too small for the classes
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static SizeClassed over(FixedRange range) {
        return builder(range).build();
    }

    /**
     * {@return a builder over {@code range}}
     *
     * @param range the memory to share among the classes
     * @throws NullPointerException if {@code range} is {@code null}
     */
    public static Builder builder(FixedRange range) {
        return new Builder(range);
    }

    /** Configures a {@link SizeClassed}. */
    public static final class Builder {
        private final FixedRange range;
        private long maxClass = DEFAULT_MAX_CLASS;
        private Allocator large;
        private AllocationListener listener = AllocationListener.NOOP;
        private boolean zeroing = true;

        private Builder(FixedRange range) {
            this.range = Objects.requireNonNull(range, "range");
        }

        /**
         * Sets the largest class, a power of two of at least 16 B ({@link SizeClassed#MIN_CLASS}); default
         * 32 KiB ({@link SizeClassed#DEFAULT_MAX_CLASS}).
         *
         * @param bytes the size of the largest class
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not a power of two of at least 16
         */
        public Builder maxClassSize(long bytes) {
            this.maxClass = checkMaxClass(bytes);
            return this;
        }

        /**
         * Sets who hears the allocations, frees and close, large blocks included; default none. With one, each
         * class's slab records its blocks' sizes (an {@code int} of heap per slot), so the listener hears a block
         * as it is now and a segment of another size than its block's (the stale segment of a block resized
         * since, a slice) is refused by {@code deallocate} and {@code reallocate}, as
         * {@link Slab#over(FixedRange, long, AllocationListener)} says.
         *
         * @param listener the listener, called on the allocating thread
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(AllocationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the allocator for requests above the largest class or that no class can serve; default none,
         * and such requests fail. The large-object allocator is not closed with this one.
         *
         * @param large the large-object allocator
         * @return this builder
         * @throws NullPointerException if {@code large} is {@code null}
         */
        public Builder large(Allocator large) {
            this.large = Objects.requireNonNull(large, "large");
            return this;
        }

        /**
         * Hands out freed blocks without zeroing them, as {@link Slab#withoutZeroing} does.
         *
         * <p>This method is <em>restricted</em>: a block shows its previous user's bytes, so it may be
         * called only from a module with native access.
         *
         * @return this builder
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder withoutZeroing() {
            Restricted.check("SizeClassed.Builder.withoutZeroing()");
            this.zeroing = false;
            return this;
        }

        /**
         * {@return the allocator, holding the range until it is closed}
         *
         * @throws IllegalArgumentException if the range is too small for the classes
         * @throws IllegalStateException if the range is closed
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public SizeClassed build() {
            return new SizeClassed(this);
        }
    }

    /** {@return {@code bytes} if it can be the largest class: a power of two of at least {@link #MIN_CLASS}} */
    static long checkMaxClass(long bytes) {
        Checks.requirePowerOfTwo(bytes, "maxClassSize");
        if (bytes < MIN_CLASS) {
            throw new IllegalArgumentException("maxClassSize must be at least " + MIN_CLASS + ": " + bytes);
        }
        return bytes;
    }

    static long[] classSizes(long max) {
        int n = 1 + 2 * (63 - Long.numberOfLeadingZeros(max) - 4);
        long[] sizes = new long[n];
        sizes[0] = MIN_CLASS;
        for (int i = 1; i < n; i++) {
            long pow = MIN_CLASS << ((i + 1) / 2);
            sizes[i] = (i & 1) == 1 ? pow - pow / 4 : pow;
        }
        return sizes;
    }

    /** {@return the index of the smallest class that holds {@code size} bytes} Valid up to the max class. */
    static int classIndex(long size) {
        if (size <= MIN_CLASS) {
            return 0;
        }
        int p = 63 - Long.numberOfLeadingZeros(size - 1);
        return size <= 3L << (p - 1) ? 2 * p - 7 : 2 * p - 6;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, true, unlistened);
        }
        return unlistened(byteSize, byteAlignment, true);
    }

    private MemorySegment unlistened(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment segment = route(byteSize, byteAlignment);
        if (segment == null && orThrow) {
            throw new AllocationFailedException("SizeClassed", byteSize, byteAlignment, -1, capacity());
        }
        return segment;
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, false, unlistened);
        }
        return unlistened(byteSize, byteAlignment, false);
    }

    private MemorySegment route(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        if (closed) {
            throw new IllegalStateException("SizeClassed is closed");
        }
        if (byteSize <= maxClass) {
            for (int i = classIndex(byteSize); i < slabs.length; i++) {
                Slab slab = slabs[i];
                if (slab.slotAlignment() >= byteAlignment) {
                    MemorySegment segment = slab.take(byteSize, byteAlignment);
                    if (segment != null || large == null) {
                        return segment;
                    }
                    break;
                }
            }
        }
        return large == null ? null : large.tryAllocate(byteSize, byteAlignment);
    }

    /**
     * Frees a block: to its class by address, otherwise to the large-object allocator.
     *
     * @throws IllegalArgumentException if the block is neither a live slot here nor accepted by the large allocator
     * @throws IllegalStateException if this allocator is closed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (closed) {
            throw new IllegalStateException("SizeClassed is closed");
        }
        Slab slab = slabOf(segment);
        if (slab != null) {
            slab.free(segment);
            if (listener != null) {
                listener.onRelease(segment);
            }
        } else if (large != null) {
            boolean released = large.freesIndividually() && large.owns(segment);
            large.deallocate(segment);
            if (released && listener != null) {
                listener.onRelease(segment);
            }
        } else {
            throw new IllegalArgumentException("not allocated by this SizeClassed: 0x"
                    + Long.toHexString(segment.address()));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a block resizes in place while its class still holds the new size ({@link #usableSize}), so a
     * shrink always stays in place (the bytes it gives up are zeroed unless built without zeroing); a block of the
     * large-object allocator resizes in place where that allocator can. Otherwise the block moves to the class
     * that fits (or the large-object allocator) and its old slot is freed; the old segment is not revoked, as a
     * freed slot's never is. Listeners hear an in-place resize as {@link AllocationListener#onResize}, a move as
     * an allocation and a free.
     *
     * @throws IllegalStateException if this allocator is closed
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        checkOpen();
        Objects.requireNonNull(segment, "segment");
        Slab slab = slabOf(segment);
        if (slab != null && owns(segment)) {
            slab.checkRecordedSize(segment);
        }
        return Resizing.reallocate(this, segment, newSize);
    }

    /**
     * {@inheritDoc} Here: the size of the block's class, or what the large-object allocator says for its blocks.
     *
     * @throws IllegalStateException if this allocator is closed
     */
    @Override
    public long usableSize(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        Resizing.checkOwned(this, segment);
        Slab slab = slabOf(segment);
        return slab != null ? slab.slotSize() : large.usableSize(segment);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("SizeClassed is closed");
        }
    }

    /** Resizes a checked live block in place, as {@link #reallocate} says; {@return it, or {@code null}} */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        Slab slab = slabOf(segment);
        Listening.InPlace raw;
        if (slab != null) {
            if (newSize > slab.slotSize()) {
                return null;
            }
            raw = slab::resizeInPlace;
        } else {
            raw = (s, n) -> Resizing.inPlace(large, s, n);
        }
        return listener == null ? raw.resize(segment, newSize)
                : Listening.resizeInPlace(listener, this, segment, newSize, raw);
    }

    /** {@return whether blocks read zero: built with zeroing, and the large-object allocator (if any) zeroes} */
    boolean zeroes() {
        return zeroing && (large == null || Resizing.zeroes(large));
    }

    /** {@return the class sizes, smallest first} */
    public long[] classSizes() {
        return classSizes.clone();
    }

    /** {@return the live blocks in all classes} */
    public long liveBlocks() {
        long live = 0;
        for (Slab slab : slabs) {
            live += slab.liveSlots();
        }
        return live;
    }

    @Override
    public boolean freesIndividually() {
        return true;
    }

    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        if (closed) {
            return false;
        }
        Slab slab = slabOf(segment);
        if (slab != null) {
            return slab.owns(segment);
        }
        return large != null && large.owns(segment);
    }

    /** {@return the whole slot behind {@code segment}, a live block of this allocator: what a wipe of it must cover} */
    MemorySegment slotOf(MemorySegment segment) {
        Slab slab = slabOf(segment);
        if (slab != null) {
            return slab.slotOf(segment);
        }
        return large instanceof Slab largeSlab ? largeSlab.slotOf(segment) : segment;
    }

    /** {@return the slab whose share holds {@code segment}'s address, or {@code null} if none does} */
    private Slab slabOf(MemorySegment segment) {
        long offset = segment.address() - baseAddress;
        return offset >= 0 && offset < sharesEnd ? slabOfGranule[(int) (offset >>> granuleShift)] : null;
    }

    @Override
    public long capacity() {
        long capacity = large == null ? 0 : large.capacity();
        for (Slab slab : slabs) {
            capacity += slab.capacity();
        }
        return capacity;
    }

    /**
     * Closes every class and releases the range, even when one class fails to close (the first failure is
     * thrown, the others suppressed); the large-object allocator is left to its owner.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("SizeClassed is closed");
        }
        closed = true;
        try {
            closeAll();
        } finally {
            if (listener != null) {
                listener.onClose();
            }
        }
    }

    private void closeAll() {
        RuntimeException failure = null;
        for (int i = 0; i < slabs.length; i++) {
            for (AutoCloseable part : new AutoCloseable[] {slabs[i], shares[i]}) {
                if (part == null) {
                    continue;
                }
                try {
                    part.close();
                } catch (Exception e) {
                    RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                    if (failure == null) {
                        failure = r;
                    } else {
                        failure.addSuppressed(r);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }
}
