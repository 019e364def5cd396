package dev.pagewise.tests;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.CacheJitter;
import dev.pagewise.core.Canary;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Observed;
import dev.pagewise.core.Limit;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.Resettable;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import dev.pagewise.core.ZeroizeOnFree;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any stack of wrappers over any allocator keeps the inner allocator's model properties, resizes included, and
 * the outermost listener's accounting (statistics, budget, leak records) equals the model's.
 */
class WrapperProperties {

    enum Wrapper { STATISTICS, LIMIT, LEAK_TRACKING, POISON, QUARANTINE, CANARY, ZEROIZE, JITTER, HUGE_PAGE_ALIGNED }

    enum Inner { SLAB, SIZE_CLASSED, BUMP }

    enum Kind { ALLOCATE, FREE, RESET, REALLOCATE }

    record Op(Kind kind, long size, long alignment) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Arbitraries.just(Kind.ALLOCATE)),
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.FREE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RESET)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(Kind.REALLOCATE)));
        return Combinators.combine(kind, Arbitraries.longs().between(0, 4000),
                Arbitraries.integers().between(0, 6).map(i -> 1L << i)).as(Op::new).list().ofMaxSize(100);
    }

    @Provide
    Arbitrary<List<Wrapper>> stacks() {
        return Arbitraries.of(Wrapper.class).list().ofMaxSize(4);
    }

    /** What the wrappers of a stack count, innermost first. */
    record Seen(List<Statistics> stats, List<Budget> budgets, List<LeakTracking> leaks) {
        Seen() {
            this(new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
        }
    }

    /** Wraps {@code inner} in {@code stack}, innermost first; {@code stats} receives the listener of each STATISTICS. */
    static Allocator wrap(Allocator inner, List<Wrapper> stack, List<Statistics> stats) {
        Seen seen = new Seen();
        Allocator a = wrap(inner, stack, seen);
        stats.addAll(seen.stats());
        return a;
    }

    /** Wraps {@code inner} in {@code stack}, innermost first; {@code seen} receives each listener's counters. */
    static Allocator wrap(Allocator inner, List<Wrapper> stack, Seen seen) {
        List<Statistics> stats = seen.stats();
        Allocator a = inner;
        for (Wrapper w : stack) {
            a = switch (w) {
                case STATISTICS -> {
                    Statistics s = Statistics.create();
                    stats.add(s);
                    yield Observed.over(a, s);
                }
                case LIMIT -> {
                    Budget budget = Budget.root("test", 1L << 30);
                    seen.budgets().add(budget);
                    yield Observed.over(a, Limit.of(budget));
                }
                case LEAK_TRACKING -> {
                    LeakTracking leaks = LeakTracking.paranoid();
                    seen.leaks().add(leaks);
                    yield Observed.over(a, leaks);
                }
                case POISON -> PoisonOnFree.over(a);
                case QUARANTINE -> Quarantine.over(a, 3, 16 << 10);
                case CANARY -> Canary.over(a);
                case ZEROIZE -> ZeroizeOnFree.over(a);
                case JITTER -> CacheJitter.seeded(a, 192, stack.size());
                // a 1 KiB "huge page", so that the property's blocks (up to 4000 bytes) cross it
                case HUGE_PAGE_ALIGNED -> dev.pagewise.core.HugePageAligned.over(a, 1024);
            };
        }
        return a;
    }

    @Property(tries = 150)
    void stacksPreserveTheModel(@ForAll("ops") List<Op> ops, @ForAll("stacks") List<Wrapper> stack,
                                @ForAll Inner innerKind) {
        try (FixedRange range = Ranges.NATIVE.of(8 << 20)) {
            AutoCloseable closeInner;
            Allocator inner;
            switch (innerKind) {
                case SLAB -> {
                    Slab slab = Slab.over(range, 8192);
                    inner = slab;
                    closeInner = slab;
                }
                case SIZE_CLASSED -> {
                    SizeClassed sc = SizeClassed.builder(range).maxClassSize(8192).build();
                    inner = sc;
                    closeInner = sc;
                }
                default -> {
                    BumpArena bump = BumpArena.over(range);
                    inner = bump;
                    closeInner = bump;
                }
            }
            Seen seen = new Seen();
            Allocator top = wrap(inner, stack, seen);
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            long allocated = 0;
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE -> allocated += model.allocate(top, op.size(), op.alignment(), true) ? 1 : 0;
                    case REALLOCATE -> {
                        long before = seen.stats().isEmpty() ? 0 : seen.stats().getLast().snapshot().allocations();
                        AllocatorModel.Block old = model.reallocate(top, op.size(), 0, true);
                        if (old != null && old.segment().byteSize() == 0
                                && model.lastResized().address() == old.segment().address()) {
                            // a bump arena puts a moved copy of an empty last block at the same address: the address
                            // cannot tell a move from a resize in place, so take what the statistics heard
                            allocated += seen.stats().isEmpty() ? 0
                                    : seen.stats().getLast().snapshot().allocations() - before;
                        } else if (old != null && model.lastResized().address() != old.segment().address()) {
                            allocated++; // a move is heard as an allocation
                        }
                    }
                    case FREE -> model.freeOne(top);
                    case RESET -> {
                        if (innerKind == Inner.BUMP) {
                            ((Resettable) top).reset();
                            model.forgetAll();
                        }
                    }
                }
                model.checkLiveIntact();
            }
            long modelBytes = model.live().stream().mapToLong(b -> b.segment().byteSize()).sum();
            Wrapper outermost = stack.isEmpty() ? null : stack.getLast();
            if (outermost == Wrapper.LIMIT && inner.freesIndividually()) {
                assertEquals(modelBytes, seen.budgets().getLast().used(), "the budget charges exactly the live bytes");
            }
            if (outermost == Wrapper.LEAK_TRACKING && inner.freesIndividually()) {
                List<LeakTracking.Leak> leaks = seen.leaks().getLast().leaks();
                assertEquals(model.live().size(), leaks.size(), "one record per live block");
                assertEquals(modelBytes, leaks.stream().mapToLong(LeakTracking.Leak::byteSize).sum(), "their sizes");
            }
            if (outermost == Wrapper.STATISTICS) {
                Statistics stats = seen.stats().getLast();
                assertEquals(allocated, stats.snapshot().allocations());
                long liveBytes = model.live().stream().mapToLong(b -> b.segment().byteSize()).sum();
                if (inner.freesIndividually()) {
                    assertEquals(liveBytes, stats.snapshot().bytesLive(), "live bytes");
                } else {
                    assertEquals(0, stats.snapshot().frees(), "a bump arena frees nothing one block at a time");
                    assertTrue(stats.snapshot().bytesLive() >= liveBytes, "live bytes until the reset");
                }
                assertTrue(stats.snapshot().peakBytes() >= liveBytes);
            }
            closeInner.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A seeded {@link CacheJitter} over a slab or a bump arena keeps the model, and every block lies inside the
     * block the inner allocator gave for it, at an offset within the window that keeps the alignment.
     */
    @Property(tries = 150)
    void jitterStaysInItsWindow(@ForAll("ops") List<Op> ops, @ForAll boolean overSlab,
                                @ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = 4096) long window,
                                @ForAll long seed) {
        try (FixedRange range = Ranges.NATIVE.of(8 << 20)) {
            AutoCloseable closeInner;
            Allocator inner;
            if (overSlab) {
                Slab slab = Slab.over(range, 8192);
                inner = slab;
                closeInner = slab;
            } else {
                BumpArena bump = BumpArena.over(range);
                inner = bump;
                closeInner = bump;
            }
            java.util.List<java.lang.foreign.MemorySegment> wholes = new java.util.ArrayList<>();
            CacheJitter jitter = CacheJitter.seeded(Observed.over(inner, new dev.pagewise.core.AllocationListener() {
                @Override
                public void onAllocation(java.lang.foreign.MemorySegment segment) {
                    wholes.add(segment);
                }
            }), window, seed);
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE -> {
                        int before = wholes.size();
                        if (model.allocate(jitter, op.size(), op.alignment(), true)) {
                            java.lang.foreign.MemorySegment block = model.live().getLast().segment();
                            java.lang.foreign.MemorySegment whole = wholes.get(before);
                            long offset = block.address() - whole.address();
                            assertTrue(offset >= 0 && offset <= window, "offset " + offset + " in window " + window);
                            assertEquals(0, offset % op.alignment(), "offset keeps the alignment");
                            assertTrue(offset + block.byteSize() <= whole.byteSize(), "inside the inner block");
                            assertTrue(jitter.owns(block));
                        }
                    }
                    case FREE -> {
                        AllocatorModel.Block freed = model.freeOne(jitter);
                        if (freed != null) {
                            assertTrue(!jitter.owns(freed.segment()), "a freed block is no longer owned");
                        }
                    }
                    case RESET -> {
                        if (!overSlab) {
                            jitter.reset();
                            model.forgetAll();
                        }
                    }
                }
                model.checkLiveIntact();
                if (overSlab) {
                    assertEquals(model.live().size(), ((Slab) inner).liveSlots(), "every free reached the slab");
                }
            }
            closeInner.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
