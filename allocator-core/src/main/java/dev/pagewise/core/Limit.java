package dev.pagewise.core;

import dev.pagewise.core.internal.FirstThread;
import dev.pagewise.core.internal.VarHandles;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Charges every allocation to a {@link Budget}: a request over budget is refused before the allocator is
 * asked, with a message naming the budget, its use and the request. Frees, resets and the allocator's close
 * return the bytes. An {@link AllocationListener}, exact because the allocator reports only what it did:
 * frees a bump arena ignores return nothing (its reset returns everything), so {@code used} never goes
 * negative and never grants beyond the budget. A block resized in place is charged its growth, admitted
 * before it happens (refused, the block stays as it was), and returns what a shrink gives back to the allocator (a shrink is
 * never refused; one that gives nothing back, a bump arena's block before its last, is not heard and returns
 * nothing until the reset); a block that moves is charged in full as a new allocation, the old returned when it is freed.
 *
 * <p>Thread-safe, and biased to one thread as {@link Statistics#create()} is: the budget is shared (one
 * compare-and-set on it and on each ancestor per allocation), but what this limit must return at a reset is
 * counted by the first thread that allocates in a field that only it and a reset write, and by every other
 * thread in an atomic. A reset or close racing allocations or frees on other threads (which no allocator allows)
 * may return too much or too little to the budget. Give each allocator a limit of its own and share the
 * {@link Budget}: a reset returns everything its limit charged.
 */
public final class Limit implements AllocationListener {

    private static final VarHandle OWNER_CHARGED =
            VarHandles.field(MethodHandles.lookup(), Limit.class, "ownerCharged", long.class);

    private final Budget budget;
    private final FirstThread owner = new FirstThread();
    /**
     * What the first thread charged and has not returned: written by it (and zeroed by a reset) with opaque stores,
     * plain on x86 and ARM, which is what saves the owner an atomic per allocation.
     */
    private long ownerCharged;
    /** What every other thread charged and has not returned. */
    private final AtomicLong charged = new AtomicLong();

    private Limit(Budget budget) {
        this.budget = budget;
    }

    /**
     * {@return a limit that charges {@code budget}}
     *
     * @param budget the budget every allocation is charged to
     * @throws NullPointerException if {@code budget} is {@code null}
     */
    public static Limit of(Budget budget) {
        return new Limit(Objects.requireNonNull(budget, "budget"));
    }

    @Override
    public String onPreAllocation(long byteSize, long byteAlignment) {
        return budget.reserve(byteSize);
    }

    /** Counts {@code bytes} (negative: returned) as charged by this limit, to be returned at the reset. */
    private void count(long bytes) {
        if (owner.isCurrent()) {
            OWNER_CHARGED.setOpaque(this, (long) OWNER_CHARGED.getOpaque(this) + bytes);
        } else {
            charged.addAndGet(bytes);
        }
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        count(segment.byteSize());
    }

    @Override
    public void onFailedAllocation(long byteSize, long byteAlignment) {
        budget.release(byteSize);
    }

    @Override
    public void onRelease(MemorySegment segment) {
        count(-segment.byteSize());
        budget.release(segment.byteSize());
    }

    /** {@inheritDoc} Here: a growth reserves only the extra bytes; a shrink is never refused. */
    @Override
    public String onPreResize(MemorySegment segment, long newSize) {
        long extra = newSize - segment.byteSize();
        return extra > 0 ? budget.reserve(extra) : null;
    }

    /** {@inheritDoc} Here: a shrink returns the bytes it gave up. */
    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        long delta = resized.byteSize() - segment.byteSize();
        count(delta);
        if (delta < 0) {
            budget.release(-delta);
        }
    }

    /** {@inheritDoc} Here: returns a growth's reservation. */
    @Override
    public void onFailedResize(MemorySegment segment, long newSize) {
        long extra = newSize - segment.byteSize();
        if (extra > 0) {
            budget.release(extra);
        }
    }

    @Override
    public void onReset() {
        long owned = (long) OWNER_CHARGED.getOpaque(this);
        OWNER_CHARGED.setOpaque(this, 0L);
        // The sum returns every block, whichever thread charged or freed it: a block one thread allocated and
        // another freed left +size in one count and -size in the other.
        budget.release(owned + charged.getAndSet(0));
    }

    @Override
    public void onClose() {
        onReset();
    }

    /** {@return the budget this limit charges} */
    public Budget budget() {
        return budget;
    }

    @Override
    public String toString() {
        return "Limit[" + budget + "]";
    }
}
