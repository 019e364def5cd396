package dev.pagewise.tests;

import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.CacheJitter;
import dev.pagewise.core.Canary;
import dev.pagewise.core.ConcurrentSizeClassed;
import dev.pagewise.core.ExtendableSlab;
import dev.pagewise.core.Faulty;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.GuardPage;
import dev.pagewise.core.HardenedSlab;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Limit;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.Observed;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.OwnedSlab;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.PurgePolicy;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.StackArena;
import dev.pagewise.core.Statistics;
import dev.pagewise.core.WithFallback;
import dev.pagewise.core.ZeroizeOnFree;
import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsMemory;
import dev.pagewise.os.linux.Locked;
import dev.pagewise.os.linux.MmapBacked;
import dev.pagewise.testkit.AllocatorContract;
import dev.pagewise.testkit.FixedRangeContract;
import dev.pagewise.testkit.OsBackedContract;
import org.junit.jupiter.api.Nested;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testkit's contract suites, run against every range, allocator and wrapper Pagewise ships. */
class ContractTest {

    private static final long PAGE = 4096;

    @Nested
    class NativeBackedRange extends FixedRangeContract {
        @Override
        protected FixedRange create(long byteSize) {
            return NativeBacked.allocate(byteSize);
        }
    }

    @Nested
    class SliceOfNativeBacked extends FixedRangeContract {
        @Override
        protected FixedRange create(long byteSize) {
            NativeBacked parent = NativeBacked.allocate(byteSize + 2 * PAGE);
            closeAfterTest(parent);
            return parent.slice(PAGE, byteSize);
        }
    }

    @Nested
    class MmapBackedRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            return MmapBacked.map(byteSize);
        }
    }

    @Nested
    class LazyMmapBackedRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            return MmapBacked.map(byteSize, MapOptions.DEFAULT.withLazyCommit());
        }
    }

    @Nested
    class GuardedMappingRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            return MmapBacked.map(byteSize, MapOptions.DEFAULT.withLazyCommit().withGuardPages());
        }
    }

    @Nested
    class OsMemoryRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            return OsMemory.map(byteSize);
        }
    }

    @Nested
    class SliceOfMmapBacked extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            MmapBacked parent = MmapBacked.map(byteSize + (128 << 10), MapOptions.DEFAULT.withLazyCommit());
            closeAfterTest(parent);
            return parent.slice(64 << 10, byteSize);
        }
    }

    @Nested
    class GuardPageRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            MmapBacked inner = MmapBacked.map(byteSize + 2 * PAGE, MapOptions.DEFAULT.withLazyCommit());
            closeAfterTest(inner);
            return GuardPage.around(inner);
        }
    }

    @Nested
    class LockedRange extends OsBackedContract {
        @Override
        protected OsBacked create(long byteSize) {
            return Locked.map(byteSize, false);
        }
    }

    /** An allocator over a range of its own; the range is closed with it. */
    abstract static class Over extends AllocatorContract {
        private FixedRange range;

        abstract Allocator over(FixedRange range);

        @Override
        protected Allocator create() {
            range = MmapBacked.map(4 << 20, MapOptions.DEFAULT.withLazyCommit());
            return over(range);
        }

        @Override
        protected void close(Allocator allocator) throws Exception {
            try {
                super.close(allocator);
            } finally {
                range.close();
            }
        }
    }

    @Nested
    class BumpArenaAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return BumpArena.over(range);
        }
    }

    @Nested
    class SharedBumpArenaAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return SharedBumpArena.over(range);
        }
    }

    @Nested
    class StackArenaAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return StackArena.over(range);
        }
    }

    @Nested
    class SlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return Slab.over(range, 256);
        }
    }

    @Nested
    class HardenedSlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return HardenedSlab.over(range, 256);
        }
    }

    @Nested
    class ExtendableSlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return ExtendableSlab.over(range, 256);
        }
    }

    @Nested
    class MacLinkedHardenedSlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return HardenedSlab.macLinked(range, 256, new java.security.SecureRandom());
        }
    }

    @Nested
    class ExtendableSlabPurgingAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return ExtendableSlab.builder(range, 256).chunkSize(4096).purge(PurgePolicy.immediately()).build();
        }
    }

    @Nested
    class SizeClassedAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return SizeClassed.over(range);
        }
    }

    @Nested
    class OwnedSlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return OwnedSlab.over(range, 256);
        }
    }

    @Nested
    class ConcurrentSizeClassedAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return ConcurrentSizeClassed.builder(range).heaps(2).build();
        }
    }

    /** A slab backed by a size-classed allocator, each over its own slice; closed part by part. */
    @Nested
    class WithFallbackAllocator extends AllocatorContract {
        private FixedRange range;
        private FixedRange first;
        private FixedRange second;
        private Slab slab;
        private SizeClassed classes;

        @Override
        protected Allocator create() {
            range = MmapBacked.map(4 << 20, MapOptions.DEFAULT.withLazyCommit());
            first = range.slice(0, 64 << 10);
            second = range.slice(64 << 10, 2 << 20);
            slab = Slab.over(first, 128);
            classes = SizeClassed.over(second);
            return WithFallback.of(slab, classes);
        }

        @Override
        protected void close(Allocator allocator) throws Exception {
            // the parts, then their slices, then the mapping; the fallback itself owns nothing to close
            try (FixedRange r = range; FixedRange f = first; FixedRange s = second; SizeClassed c = classes; Slab l = slab) {
                assertTrue(allocator instanceof WithFallback);
            }
        }
    }

    @Nested
    class ListenedBumpArenaAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return BumpArena.builder(range).listener(AllocationListener.of(Statistics.confined(),
                    Limit.of(Budget.root("contract", 1L << 30)), LeakTracking.paranoid())).build();
        }
    }

    @Nested
    class ListenedSlabAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return Slab.over(range, 256, AllocationListener.of(Statistics.create(), LeakTracking.paranoid()));
        }
    }

    @Nested
    class ListenedSizeClassedAllocator extends Over {
        @Override
        Allocator over(FixedRange range) {
            return SizeClassed.builder(range).listener(Statistics.create()).build();
        }
    }

    @Nested
    class RequestArenaAllocator extends AllocatorContract {
        private ArenaPool pool;

        @Override
        protected Allocator create() {
            pool = ArenaPool.builder(2, 1 << 20).build();
            return pool.lease();
        }

        @Override
        protected void close(Allocator allocator) throws Exception {
            try {
                super.close(allocator);
            } finally {
                pool.close();
            }
        }
    }

    /** Every wrapper over a slab (which frees individually) and a bump arena (which does not). */
    abstract static class Wrapped extends Over {
        private final boolean bump;
        private Allocator inner;

        Wrapped(boolean bump) {
            this.bump = bump;
        }

        abstract Function<Allocator, Allocator> wrapper();

        @Override
        Allocator over(FixedRange range) {
            inner = bump ? BumpArena.over(range) : Slab.over(range, 512);
            return wrapper().apply(inner);
        }

        @Override
        protected void close(Allocator allocator) throws Exception {
            ((AutoCloseable) inner).close();
            super.close(null);
        }
    }

    @Nested
    class StatisticsOverSlab extends Wrapped {
        StatisticsOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Observed.over(a, Statistics.create());
        }
    }

    @Nested
    class StatisticsOverBump extends Wrapped {
        StatisticsOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Observed.over(a, Statistics.create());
        }
    }

    @Nested
    class LimitOverSlab extends Wrapped {
        LimitOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Observed.over(a, Limit.of(Budget.root("contract", 1L << 30)));
        }
    }

    @Nested
    class LeakTrackingOverBump extends Wrapped {
        LeakTrackingOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Observed.over(a, LeakTracking.paranoid());
        }
    }

    @Nested
    class HugePageAlignedOverBump extends Wrapped {
        HugePageAlignedOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            // a small huge page, so that the contract's blocks cross the threshold
            return a -> dev.pagewise.core.HugePageAligned.over(a, 4096);
        }
    }

    @Nested
    class PoisonOnFreeOverSlab extends Wrapped {
        PoisonOnFreeOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return PoisonOnFree::over;
        }
    }

    @Nested
    class QuarantineOverSlab extends Wrapped {
        QuarantineOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Quarantine.over(a, 4, 1 << 20);
        }
    }

    @Nested
    class CanaryOverSlab extends Wrapped {
        CanaryOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return Canary::over;
        }
    }

    @Nested
    class CanaryOverBump extends Wrapped {
        CanaryOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return Canary::over;
        }
    }

    @Nested
    class FaultyOverSlab extends Wrapped {
        FaultyOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> Observed.over(a, Faulty.failWhen((n, size, align) -> false));
        }
    }

    @Nested
    class ZeroizeOnFreeOverSlab extends Wrapped {
        ZeroizeOnFreeOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return ZeroizeOnFree::over;
        }
    }

    @Nested
    class ZeroizeOnFreeOverBump extends Wrapped {
        ZeroizeOnFreeOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return ZeroizeOnFree::over;
        }
    }

    @Nested
    class CacheJitterOverSlab extends Wrapped {
        CacheJitterOverSlab() {
            super(false);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> CacheJitter.seeded(a, 128, 1);
        }
    }

    @Nested
    class CacheJitterOverBump extends Wrapped {
        CacheJitterOverBump() {
            super(true);
        }

        @Override
        Function<Allocator, Allocator> wrapper() {
            return a -> CacheJitter.over(a, 256);
        }
    }
}
