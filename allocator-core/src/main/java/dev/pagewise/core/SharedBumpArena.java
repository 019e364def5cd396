package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Events;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.ResetEvent;
import dev.pagewise.core.internal.ResidentEnd;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.VarHandles;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A thread-safe bump allocator over a {@link FixedRange}, usable wherever an {@link Arena} is expected.
 *
 * <p>The cursor moves by compare-and-set, with no lock. So that threads do not fight over the cursor's
 * cache line, each thread claims a chunk ({@link Builder#chunkSize}, default 64 KiB) and serves small
 * requests from it without atomics; a chunk size of 0 makes every request claim from the cursor.
 * Memory handed out reads zero, as in {@link BumpArena}; segments never overlap. A block
 * {@linkplain #reallocate resizes} in place at the end of its thread's chunk.
 *
 * <p>{@link #reset()} and {@link #close()} are legal only when no thread is allocating or using a
 * segment. Misuse is detected where it is cheap: an allocation that races a reset throws
 * {@link IllegalStateException}, and in checked mode (a shared scope per generation) so does an access
 * to a segment from before the reset.
 */
public final class SharedBumpArena implements Allocator, Arena, Resettable {

    /** The default chunk size: 64 KiB. */
    public static final long DEFAULT_CHUNK_SIZE = 64 << 10;

    private static final long RESETTING = -1;
    private static final long CLOSED = -2;
    private static final VarHandle CURSOR;

    static {
        CURSOR = VarHandles.field(MethodHandles.lookup(), SharedBumpArena.class, "cursor", long.class);
    }

    /**
     * A thread's chunk: {@code [pos, end)} of {@code generation}; its thread writes {@code pos} on every allocation.
     * The padding on both sides keeps two threads' chunks two cache lines apart wherever the collector copies them:
     * unpadded, chunks copied side by side made two threads' allocations false-share a line, and two threads ran at
     * 0.8x to 2x the throughput of one from one iteration to the next ({@code SharedBumpBench.twoThreads}).
     * HotSpot lays out a superclass's fields before its subclass's, so the padding sits in the classes around the
     * fields rather than among them (as Agrona pads its counters).
     */
    private static final class Chunk extends ChunkFields {
        long p16, p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31;
    }

    private static class ChunkFields extends ChunkPadding {
        Generation generation;
        long pos;
        long end;
    }

    private static class ChunkPadding {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** The path without the listener, held once: see {@link Listening#allocate}. */
    private final Listening.Raw unlistened = this::unlistened;
    private final FixedRange range;
    private final Lifetime.Hold hold;
    private final MemorySegment raw;
    private final String name;
    private final ResetPolicy policy;
    /** Where the range's resident pages end as this arena's resets left them; touched only while resetting. */
    private final ResidentEnd resident = new ResidentEnd();
    private final AllocationListener listener;
    private final boolean checked;
    private final long chunkSize;
    private final boolean zeroes;
    private final long baseAddress;
    private final long capacity;
    private final ThreadLocal<Chunk> chunks = ThreadLocal.withInitial(Chunk::new);
    private volatile long cursor;
    /** The current generation; one volatile reference, so a thread sees its memory and its identity together. */
    private volatile Generation generation;
    private volatile ResetReport lastReset = ResetReport.empty(ResetStrategy.NONE);

    private SharedBumpArena(Builder b) {
        this.name = b.name;
        this.range = b.range;
        this.policy = b.policy;
        this.listener = Listening.orNull(b.listener);
        this.checked = b.checked;
        this.chunkSize = b.chunkSize;
        this.zeroes = Resizing.zeroes(policy);
        ArenaMemory taken = ArenaMemory.take(range, "SharedBumpArena", checked, true);
        this.hold = taken.hold();
        this.raw = taken.raw();
        this.generation = taken.generation();
        this.baseAddress = raw.address();
        this.capacity = range.byteSize();
    }

    /**
     * {@return a checked arena over {@code range} with default chunks and {@link ResetPolicy#defaultPolicy()}}
     *
     * @param range the memory to allocate from; the arena holds it until closed and leaves it open
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static SharedBumpArena over(FixedRange range) {
        return builder(range).build();
    }

    /**
     * {@return a builder for an arena over {@code range}}
     *
     * @param range the memory to allocate from
     * @throws NullPointerException if {@code range} is {@code null}
     */
    public static Builder builder(FixedRange range) {
        return new Builder(range);
    }

    /** Configures a {@link SharedBumpArena}. */
    public static final class Builder {
        private final FixedRange range;
        private String name = "SharedBumpArena";
        private ResetPolicy policy = ResetPolicy.defaultPolicy();
        private AllocationListener listener = AllocationListener.NOOP;
        private boolean checked = true;
        private long chunkSize = DEFAULT_CHUNK_SIZE;

        private Builder(FixedRange range) {
            this.range = Objects.requireNonNull(range, "range");
        }

        /**
         * Names the arena in its exception messages and JFR events; default {@code "SharedBumpArena"}.
         *
         * @param name the arena's name
         * @return this builder
         * @throws NullPointerException if {@code name} is {@code null}
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = Checks.requireName(name);
            return this;
        }

        /**
         * Sets how {@link SharedBumpArena#reset()} restores memory; default {@link ResetPolicy#defaultPolicy()}. A policy of your own (not one of
         * {@code ResetPolicy}'s factories) is <em>restricted</em>: it decides whether the next user sees the last
         * one's bytes, so only a caller with native access may set one.
         *
         * @param policy the policy that restores the used memory on reset and close
         * @return this builder
         * @throws NullPointerException if {@code policy} is {@code null}
         * @throws IllegalCallerException for a policy of your own, if the caller's module has no native access
         */
        public Builder resetPolicy(ResetPolicy policy) {
            this.policy = Restricted.policy(Objects.requireNonNull(policy, "policy"), "SharedBumpArena.Builder.resetPolicy(ResetPolicy)");
            return this;
        }

        /**
         * Sets who hears the arena's allocations, resets and close; it is called from every allocating
         * thread, so it must be thread-safe ({@link Statistics#create()}, {@link Limit}, {@link LeakTracking}
         * are). Default none.
         *
         * @param listener the listener, thread-safe
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(AllocationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hands out slices of the range's scope: no stale-segment detection.
         *
         * <p>This method is <em>restricted</em>: a segment kept past a reset shows the next generation's
         * bytes, so it may be called only from a module with native access.
         *
         * @return this builder
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder unchecked() {
            Restricted.check("SharedBumpArena.Builder.unchecked()");
            this.checked = false;
            return this;
        }

        /**
         * Sets the per-thread chunk size; requests up to a quarter of it are served from the chunk.
         *
         * @param bytes the chunk size, a power of two, or 0 for no chunks
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative or neither 0 nor a power of two
         */
        public Builder chunkSize(long bytes) {
            if (bytes != 0) {
                Checks.requirePowerOfTwo(bytes, "chunkSize");
            }
            this.chunkSize = bytes;
            return this;
        }

        /**
         * {@return the arena, holding the range until it is closed}
         *
         * @throws IllegalStateException if the range is closed
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public SharedBumpArena build() {
            return new SharedBumpArena(this);
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, true, unlistened);
        }
        return unlistened(byteSize, byteAlignment, true);
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        if (listener != null) {
            return Listening.allocate(listener, this, byteSize, byteAlignment, false, unlistened);
        }
        return unlistened(byteSize, byteAlignment, false);
    }

    private MemorySegment unlistened(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment segment = claimSegment(byteSize, byteAlignment);
        if (segment == null && orThrow) {
            throw new AllocationFailedException(name, byteSize, byteAlignment, remaining(), capacity);
        }
        return segment;
    }

    private MemorySegment claimSegment(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        Generation g = generation;
        MemorySegment mem = g.segment;
        if (byteSize <= chunkSize >>> 2 && byteAlignment <= chunkSize >>> 2) {
            Chunk chunk = chunks.get();
            if (chunk.generation == g) {
                long start = ((baseAddress + chunk.pos + byteAlignment - 1) & -byteAlignment) - baseAddress;
                if (byteSize <= chunk.end - start) {
                    chunk.pos = start + byteSize;
                    return mem.asSlice(start, byteSize);
                }
            }
            long claimed = claim(chunkSize, chunkSize);
            if (claimed >= 0) {
                chunk.generation = g;
                chunk.pos = claimed + byteSize;
                chunk.end = claimed + chunkSize;
                return mem.asSlice(claimed, byteSize);
            }
        }
        long start = claim(byteSize, byteAlignment);
        return start < 0 ? null : mem.asSlice(start, byteSize);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a block shrinks in place (its tail stays claimed until the next reset, and listeners do not hear the
     * shrink: the block stays charged at its old size); it grows in place only when
     * it is the last block of the calling thread's chunk and the chunk has room; otherwise it moves (blocks claimed
     * straight from the shared cursor always move to grow). Nothing is freed one block at a time: a moved block's
     * old bytes stay claimed, and its old segment accessible, until the next {@link #reset()}. Listeners hear an
     * in-place resize as {@link AllocationListener#onResize}, a move as an allocation. Thread-safe, as allocation.
     *
     * @throws IllegalStateException if the arena is closed or being reset
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        long cur = cursor;
        if (cur < 0) {
            throw new IllegalStateException(cur == CLOSED ? "SharedBumpArena is closed"
                    : "SharedBumpArena is being reset while a thread allocates");
        }
        return Resizing.reallocate(this, segment, newSize);
    }

    /** Resizes a checked live block in place, as {@link #reallocate} says, or returns {@code null}. */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        Generation g = generation;
        long start = segment.address() - baseAddress;
        long oldSize = segment.byteSize();
        Chunk chunk = null;
        if (newSize > oldSize) {
            chunk = chunks.get();
            if (chunk.generation != g || chunk.pos != start + oldSize || newSize > chunk.end - start) {
                return null;
            }
        }
        Chunk grown = chunk;
        if (listener == null || newSize < oldSize) {
            // A shrink gives nothing back until the reset: heard, a Limit would return bytes still claimed.
            // The block stays charged at its old size.
            return resized(g, grown, start, newSize);
        }
        return Listening.resizeInPlace(listener, this, segment, newSize, (s, n) -> resized(g, grown, start, n));
    }

    private static MemorySegment resized(Generation g, Chunk grown, long start, long newSize) {
        if (grown != null) {
            grown.pos = start + newSize;
        }
        return g.segment.asSlice(start, newSize);
    }

    /** {@return whether blocks read zero: the reset policy is a built-in one that zeroes} */
    boolean zeroes() {
        return zeroes;
    }

    /** Moves the shared cursor past a block; {@return its offset, or -1 when it does not fit} */
    private long claim(long byteSize, long byteAlignment) {
        while (true) {
            long cur = cursor;
            if (cur < 0) {
                throw new IllegalStateException(cur == CLOSED ? "SharedBumpArena is closed"
                        : "SharedBumpArena is being reset while a thread allocates");
            }
            long start = ((baseAddress + cur + byteAlignment - 1) & -byteAlignment) - baseAddress;
            if (start < cur || start > capacity || byteSize > capacity - start) {
                return -1;
            }
            if (CURSOR.compareAndSet(this, cur, start + byteSize)) {
                range.commit(start, byteSize);
                return start;
            }
        }
    }

    @Override
    public MemorySegment.Scope scope() {
        return generation.segment.scope();
    }

    /** {@inheritDoc} Here: a segment of the current generation, inside the bytes claimed so far. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        long claimed = cursor;
        return claimed >= 0 && segment.scope().equals(generation.segment.scope())
                && BumpArena.within(segment, baseAddress, claimed);
    }

    @Override
    public long capacity() {
        return capacity;
    }

    /** {@return the bytes claimed from the range in this generation, unused chunk tails included} */
    public long allocated() {
        return Math.max(cursor, 0);
    }

    /** {@return the bytes not yet claimed} */
    public long remaining() {
        return capacity - allocated();
    }

    /** {@return what the last reset did} */
    public ResetReport lastReset() {
        return lastReset;
    }

    private long enter(long next) {
        while (true) {
            long cur = cursor;
            if (cur < 0) {
                throw new IllegalStateException(cur == CLOSED ? "SharedBumpArena is closed"
                        : "SharedBumpArena is already being reset");
            }
            if (CURSOR.compareAndSet(this, cur, next)) {
                return cur;
            }
        }
    }

    /**
     * Frees everything: the used memory is restored by the policy and, in checked mode, every segment
     * handed out so far becomes inaccessible. Legal only when no thread allocates or uses a segment.
     *
     * @throws IllegalStateException if the arena is closed, or (detected) another thread is allocating
     */
    public ResetReport reset() {
        long used = enter(RESETTING);
        ResetEvent event = Events.beginReset();
        try {
            generation.close();
        } catch (RuntimeException e) {
            cursor = used;
            throw e;
        }
        generation = Generation.open(raw, checked, true);
        try {
            lastReset = ResetPolicies.reset(policy, range, 0, used, resident);
        } catch (RuntimeException | Error e) {
            cursor = used;
            throw e;
        }
        Events.reset(event, "", name, used, lastReset);
        cursor = 0;
        if (listener != null) {
            listener.onReset(); // last: a listener that throws leaves the arena consistent
        }
        return lastReset;
    }

    /**
     * Ends the scope of every segment, resets the memory and releases the range. Threads that still hold a
     * chunk get {@link IllegalStateException} from their next allocation. If the policy fails, the used
     * bytes are zeroed in place and the policy's exception is thrown; the range is released all the same.
     *
     * @throws IllegalStateException if already closed, or (detected) another thread is resetting
     */
    @Override
    public void close() {
        long used = enter(CLOSED);
        try {
            generation.close();
        } catch (RuntimeException e) {
            cursor = used;
            throw e;
        }
        generation = generation.ended();
        try {
            BumpArena.resetOrZero(range, policy, used);
        } finally {
            try {
                Listening.resetAndClose(listener);
            } finally {
                hold.close();
            }
        }
    }

    /** {@return the arena's name, as its builder set it} */
    public String name() {
        return name;
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return cursor == CLOSED;
    }

    @Override
    public String toString() {
        return name + "[" + ByteSizes.format(allocated()) + " of " + ByteSizes.format(capacity)
                + ", chunk " + ByteSizes.format(chunkSize) + "]";
    }
}
