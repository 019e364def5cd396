package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection for tests of code that allocates: fails chosen requests as if the inner allocator were
 * full ({@code allocate} throws {@link AllocationFailedException}, {@code tryAllocate} returns
 * {@code null}) without asking it. The request counter is thread-safe; the seeded random one is not.
 */
public final class Faulty extends AllocatorWrapper {

    /** Decides whether request number {@code n} (from 1) for {@code byteSize} bytes fails. */
    @FunctionalInterface
    public interface Rule {
        boolean fails(long n, long byteSize, long byteAlignment);
    }

    private final Rule rule;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    private Faulty(Allocator inner, Rule rule) {
        super(inner);
        this.rule = rule;
    }

    /** {@return an allocator whose {@code n}th request fails, once} @throws IllegalArgumentException if n <= 0 */
    public static Faulty failNth(Allocator inner, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        return new Faulty(inner, (i, size, align) -> i == n);
    }

    /** {@return an allocator whose every {@code n}th request fails} @throws IllegalArgumentException if n <= 0 */
    public static Faulty failEvery(Allocator inner, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        return new Faulty(inner, (i, size, align) -> i % n == 0);
    }

    /** {@return an allocator whose requests fail with probability {@code p}, repeatably for a seed} */
    public static Faulty failWithProbability(Allocator inner, double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1]: " + p);
        }
        Random random = new Random(seed);
        return new Faulty(inner, (i, size, align) -> random.nextDouble() < p);
    }

    /** {@return an allocator whose requests fail when {@code rule} says so} */
    public static Faulty failWhen(Allocator inner, Rule rule) {
        return new Faulty(inner, java.util.Objects.requireNonNull(rule, "rule"));
    }

    @Override
    MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        dev.pagewise.core.internal.Checks.checkRequest(byteSize, byteAlignment);
        if (rule.fails(requests.incrementAndGet(), byteSize, byteAlignment)) {
            injected.incrementAndGet();
            if (orThrow) {
                throw new AllocationFailedException("Faulty: injected failure of request " + requests.get() + " ("
                        + byteSize + " bytes)", byteSize, byteAlignment, -1);
            }
            return null;
        }
        return innerAllocate(byteSize, byteAlignment, orThrow);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        inner.deallocate(segment);
    }

    /** {@return the failures injected so far} */
    public long injected() {
        return injected.get();
    }
}
