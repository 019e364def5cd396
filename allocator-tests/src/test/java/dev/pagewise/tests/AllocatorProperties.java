package dev.pagewise.tests;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.HardenedSlab;
import dev.pagewise.core.StackArena;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model-based properties for every allocator: random sequences of allocate (0..64 KiB, alignment
 * 1..4096) / free / reset / mark / reallocate checked against {@link AllocatorModel}.
 */
class AllocatorProperties {

    static final long RANGE = 1 << 20;

    enum Kind { ALLOCATE, FREE, MARK, RESET_TO, RESET, REALLOCATE }

    record Op(Kind kind, long size, long alignment) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Long> size = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 256),
                Arbitraries.longs().between(0, 64 << 10));
        Arbitrary<Long> alignment = Arbitraries.integers().between(0, 12).map(i -> 1L << i);
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Arbitraries.just(Kind.ALLOCATE)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.FREE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MARK)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RESET_TO)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RESET)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.REALLOCATE)));
        return Combinators.combine(kind, size, alignment).as(Op::new).list().ofMinSize(1).ofMaxSize(120);
    }

    @Provide
    Arbitrary<Ranges.Kind> ranges() {
        return Arbitraries.of(Ranges.NATIVE, Ranges.MMAP_LAZY);
    }

    @Provide
    Arbitrary<ResetPolicy> policies() {
        return Arbitraries.of(ResetPolicy.defaultPolicy(), ResetPolicy.zeroAll(), ResetPolicy.decommitAll(),
                ResetPolicy.keepResident(64 << 10), ResetPolicy.trackWrites(128 << 10));
    }

    @Property(tries = 200)
    void bumpArena(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind,
                   @ForAll("policies") ResetPolicy policy, @ForAll boolean checked) {
        try (FixedRange range = rangeKind.of(RANGE)) {
            BumpArena.Builder builder = BumpArena.builder(range).resetPolicy(policy);
            BumpArena arena = (checked ? builder : builder.unchecked()).build();
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            Deque<long[]> marks = new ArrayDeque<>();
            long expectedEnd = 0;
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE -> {
                        if (model.allocate(arena, op.size(), op.alignment(), true)) {
                            MemorySegment last = model.live().getLast().segment();
                            expectedEnd = last.address() + last.byteSize() - range.segment().address();
                        }
                    }
                    case FREE -> {
                        if (!model.live().isEmpty()) {
                            arena.deallocate(model.live().getFirst().segment());
                        }
                    }
                    case REALLOCATE -> {
                        // only blocks above the top mark: resetTo(mark) frees whatever lies above it
                        int from = marks.isEmpty() ? 0 : (int) marks.peek()[1];
                        long endBefore = expectedEnd;
                        AllocatorModel.Block old = model.reallocate(arena, op.size(), from, true);
                        if (old != null) {
                            MemorySegment now = model.lastResized();
                            long oldEnd = old.segment().address() + old.segment().byteSize() - range.segment().address();
                            long newEnd = now.address() + now.byteSize() - range.segment().address();
                            if (now.address() != old.segment().address() || oldEnd == endBefore) {
                                expectedEnd = newEnd; // moved to the end, or the last block resized
                            }
                        }
                    }
                    case MARK -> marks.push(new long[] {arena.mark(), model.live().size()});
                    case RESET_TO -> {
                        if (!marks.isEmpty()) {
                            long[] mark = marks.pop();
                            arena.resetTo(mark[0]);
                            expectedEnd = mark[0];
                            dropFrom(model, (int) mark[1]);
                        }
                    }
                    case RESET -> {
                        List<AllocatorModel.Block> stale = new ArrayList<>(model.live());
                        arena.reset();
                        marks.clear();
                        model.forgetAll();
                        expectedEnd = 0;
                        if (checked && !stale.isEmpty() && stale.getFirst().segment().byteSize() > 0) {
                            MemorySegment s = stale.getFirst().segment();
                            assertThrows(IllegalStateException.class, () -> s.get(JAVA_BYTE, 0), "stale segment");
                        }
                    }
                }
                assertEquals(expectedEnd, arena.allocated(), "allocated is the end of the last block");
                assertEquals(arena.capacity(), arena.allocated() + arena.remaining(), "accounting");
                model.checkLiveIntact();
            }
            arena.close();
        }
    }

    private static void dropFrom(AllocatorModel model, int size) {
        List<AllocatorModel.Block> live = model.live();
        while (live.size() > size) {
            live.removeLast();
        }
    }

    @Property(tries = 200)
    void stackArena(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind, @ForAll boolean checked) {
        try (FixedRange range = rangeKind.of(RANGE)) {
            StackArena stack = checked ? StackArena.over(range) : StackArena.uncheckedOver(range);
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            Deque<StackArena.Frame> frames = new ArrayDeque<>();
            Deque<Integer> sizes = new ArrayDeque<>();
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE, FREE -> {
                        Allocator target = frames.isEmpty() ? stack : frames.peek();
                        model.allocate(target, op.size(), op.alignment(), true);
                    }
                    case REALLOCATE -> {
                        Allocator target = frames.isEmpty() ? stack : frames.peek();
                        model.reallocate(target, op.size(), sizes.isEmpty() ? 0 : sizes.peek(), true);
                    }
                    case MARK -> {
                        frames.push(stack.push());
                        sizes.push(model.live().size());
                    }
                    case RESET_TO, RESET -> {
                        if (!frames.isEmpty()) {
                            StackArena.Frame frame = frames.pop();
                            List<AllocatorModel.Block> live = model.live();
                            int keep = sizes.pop();
                            MemorySegment stale = live.size() > keep ? live.get(keep).segment() : null;
                            frame.close();
                            dropFrom(model, keep);
                            if (checked && stale != null && stale.byteSize() > 0) {
                                assertThrows(IllegalStateException.class, () -> stale.get(JAVA_BYTE, 0));
                            }
                            assertThrows(IllegalStateException.class, frame::close, "frames close once");
                        } else if (op.kind() == Kind.RESET) {
                            stack.reset();
                            model.forgetAll();
                        }
                    }
                }
                assertEquals(frames.size(), stack.depth());
                model.checkLiveIntact();
            }
            while (!frames.isEmpty()) {
                frames.pop().close();
            }
            stack.close();
        }
    }

    @Property(tries = 200)
    void sharedBumpArena(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind,
                         @ForAll("policies") ResetPolicy policy, @ForAll boolean chunked) {
        try (FixedRange range = rangeKind.of(RANGE)) {
            SharedBumpArena arena = SharedBumpArena.builder(range).resetPolicy(policy)
                    .chunkSize(chunked ? SharedBumpArena.DEFAULT_CHUNK_SIZE : 0).build();
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE -> model.allocate(arena, op.size(), op.alignment(), true);
                    case REALLOCATE -> model.reallocate(arena, op.size(), 0, true);
                    case FREE -> {
                        if (!model.live().isEmpty()) {
                            arena.deallocate(model.live().getFirst().segment());
                        }
                    }
                    case RESET -> {
                        List<AllocatorModel.Block> stale = new ArrayList<>(model.live());
                        arena.reset();
                        model.forgetAll();
                        if (!stale.isEmpty() && stale.getFirst().segment().byteSize() > 0) {
                            MemorySegment s = stale.getFirst().segment();
                            assertThrows(IllegalStateException.class, () -> s.get(JAVA_BYTE, 0));
                        }
                    }
                    default -> {
                    }
                }
                assertEquals(arena.capacity(), arena.allocated() + arena.remaining());
                model.checkLiveIntact();
            }
            arena.close();
        }
    }

    @Property(tries = 200)
    void slab(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind) {
        long slotSize = 256;
        try (FixedRange range = rangeKind.of(64 << 10)) {
            Slab slab = Slab.over(range, slotSize);
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            for (Op op : ops) {
                if (op.kind() == Kind.FREE || op.kind() == Kind.RESET) {
                    model.freeOne(slab);
                } else if (op.kind() == Kind.REALLOCATE) {
                    long newSize = op.size() % (2 * slotSize); // beyond the slot half the time: must fail
                    boolean resized = model.reallocate(slab, newSize, 0, true) != null;
                    assertTrue(resized || newSize > slotSize || model.live().isEmpty(), "a slot resizes within itself");
                } else {
                    long size = op.size() % (slotSize + 1);
                    long alignment = Math.min(op.alignment(), slab.slotAlignment());
                    model.allocate(slab, size, alignment, true);
                }
                assertEquals(model.live().size(), slab.liveSlots(), "live slots");
                model.checkLiveIntact();
            }
            slab.close();
        }
    }

    /**
     * A hardened slab keeps the model, in either mode; with split metadata it keeps it even when freed slots are
     * written through their stale segments (a reused slot still reads zero, no slot is handed out twice).
     */
    @Property(tries = 200)
    void hardenedSlab(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind, @ForAll boolean macLinked) {
        long slotSize = 256;
        try (FixedRange range = rangeKind.of(64 << 10)) {
            HardenedSlab slab = macLinked ? HardenedSlab.macLinked(range, slotSize, new byte[16])
                    : HardenedSlab.over(range, slotSize);
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            for (Op op : ops) {
                if (op.kind() == Kind.FREE || op.kind() == Kind.RESET) {
                    AllocatorModel.Block freed = model.freeOne(slab);
                    if (freed != null && !macLinked && op.kind() == Kind.RESET) {
                        freed.segment().fill((byte) 0x41); // a write after free
                    }
                } else {
                    long size = op.size() % (slotSize + 1);
                    long alignment = Math.min(op.alignment(), slab.slotAlignment());
                    model.allocate(slab, size, alignment, true);
                }
                assertEquals(model.live().size(), slab.liveSlots(), "live slots");
                model.checkLiveIntact();
            }
            slab.close();
        }
    }

    @Property(tries = 200)
    void sizeClassed(@ForAll("ops") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind) {
        try (FixedRange range = rangeKind.of(8 << 20); FixedRange largeRange = rangeKind.of(1 << 20)) {
            Slab large = Slab.over(largeRange, 64 << 10);
            SizeClassed sc = SizeClassed.builder(range).maxClassSize(32 << 10).large(large).build();
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            for (Op op : ops) {
                if (op.kind() == Kind.FREE || op.kind() == Kind.RESET) {
                    model.freeOne(sc);
                } else if (op.kind() == Kind.REALLOCATE) {
                    model.reallocate(sc, op.size(), 0, true);
                } else {
                    model.allocate(sc, op.size(), op.alignment(), false);
                }
                assertEquals(model.live().size(), sc.liveBlocks() + large.liveSlots(), "live blocks");
                model.checkLiveIntact();
            }
            assertTrue(sc.capacity() > 0);
            sc.close();
            large.close();
        }
    }
}
