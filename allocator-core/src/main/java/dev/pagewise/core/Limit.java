package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Charges every allocation to a {@link Budget}: a request over budget fails with a message naming the
 * budget, its use and the request, and the inner allocator is not asked. Frees and resets return the
 * bytes. Thread-safe when the inner allocator is.
 */
public final class Limit extends AllocatorWrapper {

    private final Budget budget;
    private final AtomicLong charged = new AtomicLong();

    /** Charges what {@code inner} hands out to {@code budget}. */
    public Limit(Allocator inner, Budget budget) {
        super(inner);
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    @Override
    MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        Checks.checkRequest(byteSize, byteAlignment);
        String refused = budget.reserve(byteSize);
        if (refused != null) {
            if (!orThrow) {
                return null;
            }
            throw new AllocationFailedException("Limit: cannot allocate " + ByteSizes.format(byteSize) + " ("
                    + byteSize + " bytes): " + refused, byteSize, byteAlignment, budget.limit() - budget.used());
        }
        MemorySegment segment;
        try {
            segment = innerAllocate(byteSize, byteAlignment, orThrow);
        } catch (RuntimeException e) {
            budget.release(byteSize);
            throw e;
        }
        if (segment == null) {
            budget.release(byteSize);
            return null;
        }
        charged.addAndGet(byteSize);
        return segment;
    }

    /** Frees through the inner allocator; the bytes return to the budget only when it really takes the block back. */
    @Override
    public void deallocate(MemorySegment segment) {
        boolean counts = countsAsFree(segment);
        inner.deallocate(segment);
        if (counts) {
            charged.addAndGet(-segment.byteSize());
            budget.release(segment.byteSize());
        }
    }

    /** Resets the inner allocator and returns everything it had charged. */
    @Override
    public ResetReport reset() {
        ResetReport report = super.reset();
        budget.release(charged.getAndSet(0));
        return report;
    }

    /** {@return the budget this limit charges} */
    public Budget budget() {
        return budget;
    }
}
