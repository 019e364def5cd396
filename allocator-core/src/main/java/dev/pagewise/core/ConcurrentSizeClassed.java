package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.VarHandles;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A thread-safe allocator of size classes over one {@link FixedRange}, for code that allocates on one
 * thread and frees on another: the classes of {@link SizeClassed} (16, 24, 32, 48, 64, ... B up to a
 * maximum) in a fixed number of <em>heaps</em>, each an equal share of the range holding one
 * {@link OwnedSlab} per class.
 *
 * <p>A thread takes a heap of its own the first time it allocates, and allocates from it with no lock
 * and no atomic beyond the live-slot bit. {@link #deallocate} from any thread finds the heap and class by
 * address: the heap's owner frees directly, any other thread through the slab's lock-free stack of remote
 * frees. The heaps are bounded ({@link Builder#heaps}): when every heap is owned by a live thread, a new
 * thread's allocation fails ({@link AllocationFailedException}, or {@code null} from {@link #tryAllocate});
 * a heap whose owner has ended is adopted by the next thread that needs one, with its live blocks and its
 * pending remote frees, and a thread may give its heap back with {@link #releaseHeap()}. Requests above the
 * largest class, or that a full class of the thread's heap cannot serve, fail: there is no large-object
 * fallback.
 *
 * <p>Memory handed out reads zero, unless the allocator was built {@linkplain Builder#withoutZeroing()
 * without zeroing}: the freeing thread zeroes a block before it hands it back. A double free, a racing
 * pair of frees of one block (exactly one succeeds) and a segment not handed out here throw
 * {@link IllegalArgumentException}; a link in a free block that a write after free changed throws
 * {@link MemoryCorruptionException}. {@link #close()} may be called from any thread: afterwards every
 * segment, allocation and free throws {@link IllegalStateException}, threads still allocating included.
 * {@link #liveBlocks()} and {@link #liveBytes()} are exact once the threads that allocated and freed are done.
 */
public final class ConcurrentSizeClassed implements Allocator, AutoCloseable {

    /** The default number of heaps: 16. */
    public static final int DEFAULT_HEAPS = 16;

    private static final VarHandle HEAP_OWNER;

    static {
        HEAP_OWNER = VarHandles.field(MethodHandles.lookup(), Heap.class, "owner", Thread.class);
    }

    /** One thread's classes; {@code owner} is who allocates from them, {@code null} for nobody. */
    private static final class Heap {
        final OwnedSlab[] slabs;
        volatile Thread owner;

        Heap(int classes) {
            slabs = new OwnedSlab[classes];
        }
    }

    private final long baseAddress;
    private final long sharesEnd;
    private final int granuleShift;
    private final long[] classSizes;
    private final int classes;
    private final Heap[] heaps;
    private final FixedRange[] shares;
    private final OwnedSlab[] slabs;
    /** The slab of each granule of the shares: {@link #deallocate} finds a block's slab by its address. */
    private final OwnedSlab[] slabOfGranule;
    private final ThreadLocal<Heap> mine = new ThreadLocal<>();
    private volatile boolean closed;

    private ConcurrentSizeClassed(Builder b) {
        FixedRange range = b.range;
        this.classSizes = SizeClassed.classSizes(b.maxClass);
        this.classes = classSizes.length;
        long parts = (long) classes * b.heaps;
        Shares cut = Shares.of(range.byteSize(), parts);
        long shareSize = cut.size();
        if (shareSize < b.maxClass) {
            throw new IllegalArgumentException("range of " + range.byteSize() + " bytes too small for " + b.heaps
                    + " heaps of " + classes + " classes up to " + b.maxClass + " bytes");
        }
        this.baseAddress = Restricted.segmentOf(range).address();
        this.heaps = new Heap[b.heaps];
        this.shares = new FixedRange[(int) parts];
        this.slabs = new OwnedSlab[(int) parts];
        this.sharesEnd = cut.end();
        this.granuleShift = cut.granuleShift();
        try {
            for (int h = 0; h < heaps.length; h++) {
                heaps[h] = new Heap(classes);
                for (int c = 0; c < classes; c++) {
                    int i = h * classes + c;
                    shares[i] = range.slice(i * shareSize, shareSize);
                    slabs[i] = OwnedSlab.create(shares[i], classSizes[c], b.zeroing, null);
                    heaps[h].slabs[c] = slabs[i];
                }
            }
            this.slabOfGranule = cut.byGranule(slabs);
        } catch (RuntimeException | Error e) {
            closeAll();
            throw e;
        }
    }

    /**
     * {@return {@link #DEFAULT_HEAPS} heaps of size classes up to {@link SizeClassed#DEFAULT_MAX_CLASS} over
     * {@code range}}
     *
     * @param range the memory to share among the heaps; held until the allocator is closed, and left open
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalArgumentException if the range is too small for the heaps and classes
     * @throws IllegalStateException if the range is closed or in use
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static ConcurrentSizeClassed over(FixedRange range) {
        return builder(range).build();
    }

    /**
     * {@return a builder over {@code range}}
     *
     * @param range the memory to share among the heaps
     * @throws NullPointerException if {@code range} is {@code null}
     */
    public static Builder builder(FixedRange range) {
        return new Builder(range);
    }

    /** Configures a {@link ConcurrentSizeClassed}. */
    public static final class Builder {
        private final FixedRange range;
        private long maxClass = SizeClassed.DEFAULT_MAX_CLASS;
        private int heaps = DEFAULT_HEAPS;
        private boolean zeroing = true;

        private Builder(FixedRange range) {
            this.range = Objects.requireNonNull(range, "range");
        }

        /**
         * Sets the largest class, a power of two of at least 16 B; default 32 KiB.
         *
         * @param bytes the size of the largest class
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not a power of two of at least 16
         */
        public Builder maxClassSize(long bytes) {
            this.maxClass = SizeClassed.checkMaxClass(bytes);
            return this;
        }

        /**
         * Sets the number of heaps, the most threads that may allocate at once; default {@link #DEFAULT_HEAPS}.
         * Each heap gets an equal share of the range.
         *
         * @param count the number of heaps
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is not between 1 and 1024
         */
        public Builder heaps(int count) {
            if (count < 1 || count > 1024) {
                throw new IllegalArgumentException("heaps must be between 1 and 1024: " + count);
            }
            this.heaps = count;
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
            Restricted.check("ConcurrentSizeClassed.Builder.withoutZeroing()");
            this.zeroing = false;
            return this;
        }

        /**
         * {@return the allocator, holding the range until it is closed}
         *
         * @throws IllegalArgumentException if the range is too small for the heaps and classes
         * @throws IllegalStateException if the range is closed or in use
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public ConcurrentSizeClassed build() {
            return new ConcurrentSizeClassed(this);
        }
    }

    /** {@inheritDoc} Thread-safe; the first allocation of a thread takes it a heap. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = tryAllocate(byteSize, byteAlignment);
        if (segment == null) {
            Checks.checkRequest(byteSize, byteAlignment);
            Heap heap = mine.get();
            String why = heap == null || heap.owner != Thread.currentThread()
                    ? "ConcurrentSizeClassed (all " + heaps.length + " heaps are owned by live threads)"
                    : "ConcurrentSizeClassed";
            throw new AllocationFailedException(why, byteSize, byteAlignment, -1, capacity());
        }
        return segment;
    }

    /**
     * {@inheritDoc} Thread-safe. Also {@code null} when the calling thread has no heap and every heap is
     * owned by a live thread.
     */
    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        if (closed) {
            throw new IllegalStateException("ConcurrentSizeClassed is closed");
        }
        if (byteSize > classSizes[classes - 1]) {
            return null;
        }
        Heap heap = mine.get();
        Thread me = Thread.currentThread();
        if (heap == null || heap.owner != me) {
            heap = claimHeap(me);
            if (heap == null) {
                return null;
            }
        }
        for (int c = SizeClassed.classIndex(byteSize); c < classes; c++) {
            OwnedSlab slab = heap.slabs[c];
            if (slab.slotAlignment() >= byteAlignment) {
                return slab.tryAllocate(byteSize, byteAlignment);
            }
        }
        return null;
    }

    /** Takes a free heap, or the heap of a thread that has ended; {@return it, or {@code null} if none} */
    private Heap claimHeap(Thread me) {
        for (int pass = 0; pass < 2; pass++) {
            for (Heap heap : heaps) {
                Thread owner = heap.owner;
                // A free heap first; then one whose owner ended, whose last writes isAlive() orders before ours.
                boolean free = owner == null || (pass == 1 && !owner.isAlive());
                if (free && HEAP_OWNER.compareAndSet(heap, owner, me)) {
                    for (OwnedSlab slab : heap.slabs) {
                        slab.owner(me);
                    }
                    mine.set(heap);
                    return heap;
                }
            }
        }
        return null;
    }

    /**
     * Gives the calling thread's heap back, so another thread may take it; its live blocks stay live and may
     * be freed from any thread. The thread's next allocation takes a heap again. Does nothing if the thread
     * has no heap. Thread-safe.
     */
    public void releaseHeap() {
        Heap heap = mine.get();
        Thread me = Thread.currentThread();
        mine.remove();
        if (heap != null && heap.owner == me) {
            for (OwnedSlab slab : heap.slabs) {
                slab.owner(null);
            }
            heap.owner = null;
        }
    }

    /**
     * Frees a block, from any thread: to its heap and class by address.
     *
     * @throws IllegalArgumentException if the block is not a live block of this allocator (a double free
     *         included)
     * @throws IllegalStateException if this allocator is closed
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (closed) {
            throw new IllegalStateException("ConcurrentSizeClassed is closed");
        }
        OwnedSlab slab = slabOf(segment);
        if (slab == null) {
            throw new IllegalArgumentException("not allocated by this ConcurrentSizeClassed: 0x"
                    + Long.toHexString(segment.address()));
        }
        slab.deallocate(segment);
    }

    /** {@return the slab whose share holds {@code segment}'s address, or {@code null} if none does} */
    private OwnedSlab slabOf(MemorySegment segment) {
        long offset = segment.address() - baseAddress;
        return offset >= 0 && offset < sharesEnd ? slabOfGranule[(int) (offset >>> granuleShift)] : null;
    }

    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null || closed) {
            return false;
        }
        OwnedSlab slab = slabOf(segment);
        return slab != null && slab.owns(segment);
    }

    @Override
    public boolean freesIndividually() {
        return true;
    }

    /** {@return the class sizes, smallest first} */
    public long[] classSizes() {
        return classSizes.clone();
    }

    /** {@return the number of heaps} */
    public int heaps() {
        return heaps.length;
    }

    /** {@return the live blocks in every heap} Exact once the threads that allocated and freed are done. */
    public long liveBlocks() {
        long live = 0;
        for (OwnedSlab slab : slabs) {
            live += slab.liveSlots();
        }
        return live;
    }

    /**
     * {@return the bytes of the live blocks, counted by their classes' sizes} Exact once the threads that
     * allocated and freed are done.
     */
    public long liveBytes() {
        long bytes = 0;
        for (OwnedSlab slab : slabs) {
            bytes += slab.liveSlots() * slab.slotSize();
        }
        return bytes;
    }

    @Override
    public long capacity() {
        long capacity = 0;
        for (OwnedSlab slab : slabs) {
            capacity += slab.capacity();
        }
        return capacity;
    }

    /**
     * Closes every heap and releases the range, from any thread, even when one part fails to close (the first
     * failure is thrown, the others suppressed). Threads that allocate, free or use a segment meanwhile get
     * {@link IllegalStateException}.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("ConcurrentSizeClassed is closed");
        }
        closed = true;
        closeAll();
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

    @Override
    public String toString() {
        return "ConcurrentSizeClassed[" + heaps.length + " heaps x " + classes + " classes up to "
                + ByteSizes.format(classSizes[classes - 1]) + ", " + liveBlocks() + " live]";
    }
}
