package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.Bridge;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Events;
import dev.pagewise.core.internal.Listening;
import dev.pagewise.core.internal.ResetEvent;
import dev.pagewise.core.internal.ResidentEnd;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A single-owner bump allocator over a {@link FixedRange}, usable wherever an {@link Arena} is expected.
 *
 * <p>Allocation moves a cursor forward and commits the range as it goes, so over a lazily committed
 * mapping only what is used is ever committed. Allocation never writes: memory handed out reads zero
 * because fresh pages are zero and every {@link #reset()} restores that through the arena's
 * {@link ResetPolicy} (except {@link ResetPolicy#noZeroing()}; {@link #allocateZeroed} then fills). Segments
 * never overlap. The last block {@linkplain #reallocate resizes} in place.
 *
 * <p>A segment is valid until the next {@link #reset()}, {@link #resetTo(long)} below it, or
 * {@link #close()}. In checked mode (the default) each generation has its own confined scope, ended by
 * {@code reset} and {@code close}: using a stale segment throws {@link IllegalStateException} instead
 * of showing the next generation's data. Unchecked mode hands out slices of the range's own scope,
 * for those who measure and choose it.
 *
 * <p>Not thread-safe: the thread that created the arena owns it; any other thread gets
 * {@link WrongThreadException}. The arena holds the range's {@link Lifetime} until it is closed. Closing
 * resets the memory, releases the range and leaves it open unless the arena was built with
 * {@link Builder#closeRangeOnClose()}.
 *
 * <p>Sealed, not extensible: an arena built with a listener is an instance of a private subclass, so that its
 * listened path never enters the code an unheard arena runs.
 */
public sealed class BumpArena implements Allocator, Arena, Resettable {

    static {
        Bridge.arenas(arena -> arena.hold);
    }

    private final FixedRange range;
    private final MemorySegment raw;
    private final Lifetime.Hold hold;
    private final String name;
    private final ResetPolicy policy;
    /** Where the range's resident pages end as this arena's resets left them; made at the first reset. */
    private ResidentEnd resident;
    private final AllocationListener listener;
    private final boolean checked;
    private final boolean closeRange;
    private final boolean zeroes;
    private Thread owner;
    private final long baseAddress;
    private final long capacity;
    private Generation generation;
    private MemorySegment memory;
    private long cursor;
    private long highWater;
    /**
     * The furthest a block of the current generation reached, which {@link #resetTo} and pops do not lower: their
     * blocks stay writable until the generation ends, so a reset must restore up to here, not only to the high
     * water, or bytes written through them after the pop would survive it.
     */
    private long generationEnd;
    /**
     * Where the range's committed prefix ends as this arena last saw it, never past the capacity (a range may
     * report more): a block that ends below it is committed and inside the capacity, the bump's fast path.
     */
    private long committedEnd;
    private boolean closed;
    private long resets;
    private ResetReport lastReset = ResetReport.empty(ResetStrategy.NONE);

    private BumpArena(Builder builder) {
        this.name = builder.name;
        this.range = builder.range;
        this.policy = builder.policy == null ? ResetPolicy.defaultPolicy() : builder.policy;
        this.listener = Listening.orNull(builder.listener);
        this.checked = builder.checked;
        this.closeRange = builder.closeRange;
        this.zeroes = Resizing.zeroes(policy);
        this.owner = Thread.currentThread();
        ArenaMemory taken = ArenaMemory.take(range, "BumpArena", checked, false);
        this.hold = taken.hold();
        this.raw = taken.raw();
        this.generation = taken.generation();
        this.baseAddress = raw.address();
        this.capacity = range.byteSize();
        this.committedEnd = committedWithinCapacity();
        this.memory = generation.segment;
    }

    /**
     * {@return a checked arena over {@code range} with {@link ResetPolicy#defaultPolicy()}, owned by the
     * calling thread}
     *
     * @param range the memory to allocate from; the arena holds it until closed and leaves it open
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static BumpArena over(FixedRange range) {
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

    /** Configures a {@link BumpArena}. */
    public static final class Builder {
        private final FixedRange range;
        private String name = "BumpArena";
        /** {@code null}: {@link ResetPolicy#defaultPolicy()}, made at build time (it keeps state per arena). */
        private ResetPolicy policy;
        private AllocationListener listener = AllocationListener.NOOP;
        private boolean checked = true;
        private boolean closeRange;

        private Builder(FixedRange range) {
            this.range = Objects.requireNonNull(range, "range");
        }

        /**
         * Names the arena in its exception messages and JFR events; default {@code "BumpArena"}.
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
         * Sets how {@link BumpArena#reset()} restores memory; default {@link ResetPolicy#defaultPolicy()}. A policy of your own (not one of
         * {@code ResetPolicy}'s factories) is <em>restricted</em>: it decides whether the next user sees the last
         * one's bytes, so only a caller with native access may set one.
         *
         * @param policy the policy that restores the used memory on reset and close
         * @return this builder
         * @throws NullPointerException if {@code policy} is {@code null}
         * @throws IllegalCallerException for a policy of your own, if the caller's module has no native access
         */
        public Builder resetPolicy(ResetPolicy policy) {
            this.policy = Restricted.policy(Objects.requireNonNull(policy, "policy"), "BumpArena.Builder.resetPolicy(ResetPolicy)");
            return this;
        }

        /**
         * Sets who hears the arena's allocations, resets and close ({@link Statistics}, {@link Limit},
         * {@link LeakTracking}, or several through {@link AllocationListener#of}); default none. The listener
         * hears {@link BumpArena#resetTo} as nothing: blocks above the mark count as live until the next reset.
         *
         * @param listener the listener, called on the owner thread
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(AllocationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hands out slices of the range's scope: no stale-segment detection, a little faster.
         *
         * <p>This method is <em>restricted</em>: a segment kept past a reset shows the next generation's
         * bytes, so it may be called only from a module with native access.
         *
         * @return this builder
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder unchecked() {
            Restricted.check("BumpArena.Builder.unchecked()");
            this.checked = false;
            return this;
        }

        /**
         * Makes {@link BumpArena#close()} close the range too.
         *
         * @return this builder
         */
        public Builder closeRangeOnClose() {
            this.closeRange = true;
            return this;
        }

        /**
         * {@return the arena, owned by the calling thread, holding the range until it is closed}
         *
         * @throws IllegalStateException if the range is closed
         * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
         *         native access
         */
        public BumpArena build() {
            return Listening.orNull(listener) == null ? new BumpArena(this) : new Heard(this);
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return unlistened(byteSize, byteAlignment, true);
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        return unlistened(byteSize, byteAlignment, false);
    }

    /**
     * An arena with a listener: a class of its own, so that the listened path is never compiled into an unheard
     * arena's {@code allocate}. In one method, an application that also ran listened arenas had the JIT compile
     * both paths into it, too large to inline where an unheard arena allocates (ProfilePollutionBench).
     */
    private static final class Heard extends BumpArena {
        /** The path without the listener, held once: see {@link Listening#allocate}. */
        private final Listening.Raw unlistened = (size, alignment, orThrow) -> super.unlistened(size, alignment, orThrow);

        private Heard(Builder builder) {
            super(builder);
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return Listening.allocate(super.listener, this, byteSize, byteAlignment, true, unlistened);
        }

        @Override
        public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
            return Listening.allocate(super.listener, this, byteSize, byteAlignment, false, unlistened);
        }
    }

    private MemorySegment unlistened(long byteSize, long byteAlignment, boolean orThrow) {
        long offset = bump(byteSize, byteAlignment);
        if (offset >= 0) {
            return memory.asSlice(offset, byteSize);
        }
        if (orThrow) {
            throw new AllocationFailedException(name, byteSize, byteAlignment, remaining(), capacity);
        }
        return null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the last block allocated resizes in place: it grows while the arena has room (the new bytes read
     * zero, as every block does) and a shrink gives its tail back to the arena, zeroed (a tail over 64 KiB through
     * the reset policy, which may release its pages instead, as a reset would; if the policy fails, the block
     * keeps its old size, but part of its tail may already read zero). Any other block shrinks in
     * place (its tail stays allocated until the next reset, and listeners do not hear the shrink: the block stays
     * charged at its old size) and moves to grow. Nothing is freed one block at a
     * time: a moved block's old bytes stay allocated, and its old segment stays accessible, until the next
     * {@link #reset()}; so does the tail of a shrunk last block, which the next allocation reuses. Listeners hear
     * an in-place resize as {@link AllocationListener#onResize}, a move as an allocation.
     *
     * @throws WrongThreadException if called from a thread other than the owner
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        checkOwner();
        return Resizing.reallocate(this, segment, newSize);
    }

    /** Resizes a checked live block of this arena in place, as {@link #reallocate} says, or returns {@code null}. */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        checkOwner();
        return resizeInPlace(segment, newSize, memory, listener);
    }

    /**
     * Resizes in place a block of {@code in} (a view of this arena's memory, as a stack frame has), heard by
     * {@code heard} if not {@code null}; {@return the resized block, or {@code null} if it must move}
     */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize, MemorySegment in, AllocationListener heard) {
        long start = segment.address() - baseAddress;
        long oldSize = segment.byteSize();
        boolean last = start + oldSize == cursor;
        if (newSize > oldSize && !(last && newSize <= capacity - start)) {
            return null;
        }
        if (heard == null || (newSize < oldSize && !last)) {
            // A shrink of a block before the last gives nothing back until the reset: heard as a shrink, a
            // Limit would return bytes the arena still holds (the block stays charged at its old size).
            return resized(start, oldSize, newSize, last, in);
        }
        return Listening.resizeInPlace(heard, this, segment, newSize, (s, n) -> resized(start, oldSize, n, last, in));
    }

    private MemorySegment resized(long start, long oldSize, long newSize, boolean last, MemorySegment in) {
        long newEnd = start + newSize;
        if (last) {
            if (newEnd > committedEnd) {
                commit(cursor, newEnd);
            } else if (newSize < oldSize) {
                highWater = highWater();
                if (zeroes) {
                    // the tail goes back to the arena, whose next block must read zero; a large one goes through
                    // the policy, as a large pop does, so that pages never written are not faulted in to be zeroed
                    long tail = oldSize - newSize;
                    if (tail <= ResetPolicies.SMALL_RESET) {
                        Zeroing.zero(in, newEnd, tail);
                    } else {
                        restore(newEnd, start + oldSize);
                    }
                }
            }
            cursor = newEnd;
        }
        return in.asSlice(start, newSize);
    }

    /** {@return whether a shrink of {@code segment}, a live block, gives bytes back: only the last block's does} */
    boolean shrinkFrees(MemorySegment segment) {
        return segment.address() - baseAddress + segment.byteSize() == cursor;
    }

    /** {@return whether blocks read zero: the reset policy is a built-in one that zeroes} */
    boolean zeroes() {
        return zeroes;
    }

    /**
     * Moves the cursor past a new block; {@return the block's offset, or -1 when it does not fit}
     * The state is unchanged when it does not fit.
     */
    long bump(long byteSize, long byteAlignment) {
        if (Thread.currentThread() != owner) {
            throw notOwner();
        }
        if (byteSize < 0 || byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0) {
            Checks.checkRequest(byteSize, byteAlignment);
        }
        long from = cursor;
        long start = ((baseAddress + from + byteAlignment - 1) & -byteAlignment) - baseAddress;
        // start < from only if rounding up to the alignment overflowed; past that check start and committedEnd are
        // both non-negative, so the subtraction cannot overflow
        if (start >= from && byteSize <= committedEnd - start) {
            cursor = start + byteSize;
            return start;
        }
        return bumpCommitting(from, start, byteSize);
    }

    /**
     * The bump of a block that does not end below {@link #committedEnd}: commits up to its end if the capacity
     * allows; {@return its offset, or -1 with nothing changed}
     */
    private long bumpCommitting(long from, long start, long byteSize) {
        if (start < from || byteSize > capacity - start) {
            return -1;
        }
        long end = start + byteSize;
        commit(from, end);
        cursor = end;
        return start;
    }

    private void commit(long from, long end) {
        range.commit(from, end - from);
        committedEnd = committedWithinCapacity();
    }

    private long committedWithinCapacity() {
        return Math.min(range.committed(), capacity);
    }

    private RuntimeException notOwner() {
        if (closed) {
            return new IllegalStateException(name + " is closed");
        }
        return new WrongThreadException(name + " is owned by " + owner + ", not " + Thread.currentThread());
    }

    void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw notOwner();
        }
    }

    /** {@return the scope of the current generation; a new one after every {@link #reset()}} */
    @Override
    public MemorySegment.Scope scope() {
        return memory.scope();
    }

    /** {@return the bytes handed out in this generation, alignment padding included} */
    public long allocated() {
        return cursor;
    }

    /** {@return the bytes still available} */
    public long remaining() {
        return capacity - cursor;
    }

    /** {@return the furthest the cursor went since the last {@link #reset()} or {@link #resetTo}} */
    public long highWater() {
        return Math.max(highWater, cursor);
    }

    /**
     * {@inheritDoc} Here: a segment of the current generation, inside the bytes allocated so far; an empty one
     * anywhere up to where this generation's blocks reached, since an empty block taken at the end of a block that
     * shrank later sits past the cursor once a pop or {@link #resetTo} lowers it.
     */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        return !closed && segment.scope().equals(memory.scope()) && holds(segment, baseAddress);
    }

    /**
     * {@return whether {@code segment}, of this arena's memory seen from {@code base}, lies in its allocated bytes}
     * Shared by the arena and its stack frames.
     */
    boolean holds(MemorySegment segment, long base) {
        // An empty block may sit past the cursor: one taken at the end of a block that later shrank in place,
        // and which a pop or resetTo to a mark taken after the shrink leaves past the high water too.
        return within(segment, base, segment.byteSize() == 0 ? generationUsed() : cursor);
    }

    /** {@return whether {@code segment} lies in {@code [base, base + limit)}} */
    static boolean within(MemorySegment segment, long base, long limit) {
        long offset = segment.address() - base;
        return offset >= 0 && offset <= limit && segment.byteSize() <= limit - offset;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    /** {@return the range's whole segment, as the arena got it} */
    MemorySegment raw() {
        return raw;
    }

    /** {@return the range this arena allocates from} */
    public FixedRange range() {
        return range;
    }

    /** {@return the policy {@link #reset()} uses} */
    public ResetPolicy resetPolicy() {
        return policy;
    }

    /** {@return whether stale segments are detected} */
    public boolean isChecked() {
        return checked;
    }

    /** {@return the number of resets so far} */
    public long resets() {
        return resets;
    }

    /** {@return what the last {@link #reset()} did} */
    public ResetReport lastReset() {
        return lastReset;
    }

    /** {@return a mark of the current cursor, for {@link #resetTo(long)}} */
    public long mark() {
        checkOwner();
        return cursor;
    }

    /**
     * Frees everything allocated since {@code mark}: the bytes read zero again and the cursor returns
     * to the mark. Segments allocated after the mark must no longer be used; they stay accessible, as
     * the generation goes on, so this is for scoped use such as {@link StackArena}.
     *
     * @param mark the cursor to return to, as {@link #mark()} returned it
     * @throws IllegalArgumentException if {@code mark} is not between 0 and the cursor
     * @throws WrongThreadException if called from a thread other than the owner
     * @throws IllegalStateException if the arena is closed
     */
    public void resetTo(long mark) {
        checkOwner();
        if (mark < 0 || mark > cursor) {
            throw new IllegalArgumentException("mark " + mark + " is not in [0, " + cursor + "]");
        }
        long end = highWater();
        restore(mark, end);
        lowerTo(mark, end);
    }

    /**
     * Frees everything allocated since {@code mark}, as {@link #resetTo} does, for {@link StackArena}'s pops: up
     * to {@link ResetPolicies#SMALL_RESET} the bytes are zeroed in place directly, with no policy, report or event
     * (each costs more than the pop of a small frame); larger pops go to the policy. Zeroing faults in the
     * frame's pages it never wrote, so a stack keeps its deepest frame's pages resident, as a malloc'd stack
     * does, until a {@link #reset()} applies the budget. If the policy fails, nothing is freed.
     * The caller has checked the owner and the mark.
     *
     * @param through the whole range as the caller sees it (from offset 0): a small pop is zeroed through it
     */
    void popTo(long mark, MemorySegment through) {
        long end = highWater();
        if (end - mark <= ResetPolicies.SMALL_RESET) {
            if (end > mark) {
                // Through a segment of the range, not FixedRange.zero: its checks (bounds, liveness, protected pages)
                // cost a pop of 64 bytes about a sixth of its time, and hold here already. The bytes lie below the
                // high-water mark, so committed; the held range cannot close; they are blocks of this arena, written
                // through this mapping, which only a restricted call (protect, guard) can have made unwritable since.
                Zeroing.zero(through, mark, end - mark);
            }
        } else {
            restore(mark, end);
        }
        lowerTo(mark, end);
    }

    /** Moves the cursor and the high water back to {@code mark} from {@code end}, which the generation keeps. */
    private void lowerTo(long mark, long end) {
        generationEnd = Math.max(generationEnd, end);
        cursor = mark;
        highWater = mark;
    }

    /** {@return how far a reset or close must restore: the furthest any block of this generation reached} */
    private long generationUsed() {
        return Math.max(highWater(), generationEnd);
    }

    private void restore(long from, long to) {
        if (to > from) {
            ResetPolicies.reset(policy, range, from, to - from, resident());
        }
    }

    private ResidentEnd resident() {
        ResidentEnd r = resident;
        if (r == null && ResetPolicies.remembersResidentEnd(policy)) {
            resident = r = new ResidentEnd();
        }
        return r;
    }

    private void record(long used, ResetReport report, ResetEvent event) {
        resets++;
        lastReset = report;
        Events.reset(event, "", name, used, report);
    }

    /**
     * Ends the current generation and frees everything: the used memory is restored by the policy, the
     * cursor returns to zero, and in checked mode every segment handed out so far becomes inaccessible.
     * If the policy fails, the used bytes stay allocated (and unreachable) until a later reset succeeds.
     *
     * @return what the reset did
     * @throws WrongThreadException if called from a thread other than the owner
     * @throws IllegalStateException if the arena is closed
     */
    public ResetReport reset() {
        checkOwner();
        ResetEvent event = Events.beginReset();
        generation.close();
        generation = Generation.open(raw, checked, false);
        memory = generation.segment;
        long used = generationUsed();
        cursor = used;
        record(used, ResetPolicies.reset(policy, range, 0, used, resident()), event);
        cursor = 0;
        highWater = 0;
        generationEnd = 0;
        if (listener != null) {
            listener.onReset(); // last: a listener that throws leaves the arena consistent
        }
        return lastReset;
    }

    /**
     * Ends the scope of every segment, resets the memory and releases the range (closing it if the arena
     * was built with {@link Builder#closeRangeOnClose()}). Not idempotent, as {@link Arena#close()}.
     *
     * <p>If the policy fails, the used bytes are zeroed in place instead and the policy's exception is
     * thrown; the arena is closed and the range released all the same.
     *
     * @throws IllegalStateException if already closed
     * @throws WrongThreadException if called from a thread other than the owner
     */
    @Override
    public void close() {
        checkOwner();
        generation.close();
        closed = true;
        owner = null;
        try {
            resetOrZero(range, policy, generationUsed());
        } finally {
            try {
                Listening.resetAndClose(listener);
            } finally {
                try {
                    hold.close();
                } finally {
                    if (closeRange) {
                        range.close();
                    }
                }
            }
        }
    }

    /**
     * Restores {@code [0, used)} of {@code range} through {@code policy}; if the policy fails, zeroes the
     * bytes in place so that no later user of the range sees them, and rethrows.
     */
    static void resetOrZero(FixedRange range, ResetPolicy policy, long used) {
        try {
            policy.reset(range, 0, used);
        } catch (RuntimeException | Error e) {
            if (policy != ResetPolicies.NO_ZEROING) {
                try {
                    range.zero(0, used);
                } catch (RuntimeException | Error z) {
                    e.addSuppressed(z);
                }
            }
            throw e;
        }
    }

    /** {@return the arena's name, as its builder set it} */
    public String name() {
        return name;
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return name + "[" + ByteSizes.format(cursor) + " of " + ByteSizes.format(capacity) + ", " + policy
                + (checked ? "" : ", unchecked") + "]";
    }
}
