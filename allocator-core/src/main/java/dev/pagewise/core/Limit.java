package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
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
 * Thread-safe.
 */
public final class Limit implements AllocationListener {

    private final Budget budget;
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

    @Override
    public void onAllocation(MemorySegment segment) {
        charged.addAndGet(segment.byteSize());
    }

    @Override
    public void onFailedAllocation(long byteSize, long byteAlignment) {
        budget.release(byteSize);
    }

    @Override
    public void onRelease(MemorySegment segment) {
        charged.addAndGet(-segment.byteSize());
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
        charged.addAndGet(delta);
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
        budget.release(charged.getAndSet(0));
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
