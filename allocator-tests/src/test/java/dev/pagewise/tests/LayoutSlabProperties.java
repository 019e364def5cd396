package dev.pagewise.tests;

import dev.pagewise.core.ExtendableSlab;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.GenerationalSlab;
import dev.pagewise.core.PurgePolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model-based properties of the slabs that grow and the slabs of handles: random operations checked against
 * {@link AllocatorModel} and a model of empty and purged chunks (ExtendableSlab), and against a map of every
 * handle ever handed out to whether it is live (GenerationalSlab), with generations a few bits wide so that
 * they run out.
 */
class LayoutSlabProperties {

    private static final long PAGE = 4096;

    enum Op { ALLOCATE, FREE, PURGE, TICK }

    @Provide
    Arbitrary<List<Op>> slabOps() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(Op.ALLOCATE)),
                Tuple.of(8, Arbitraries.just(Op.FREE)),
                Tuple.of(1, Arbitraries.just(Op.PURGE)),
                Tuple.of(2, Arbitraries.just(Op.TICK))).list().ofMinSize(1).ofMaxSize(200);
    }

    @Provide
    Arbitrary<Ranges.Kind> ranges() {
        return Arbitraries.of(Ranges.NATIVE, Ranges.MMAP_LAZY);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("immediately", "after", "never");
    }

    @Property(tries = 200)
    void extendableSlab(@ForAll("slabOps") List<Op> ops, @ForAll("ranges") Ranges.Kind rangeKind,
                        @ForAll("policies") String policyName, @ForAll @IntRange(min = 1, max = 4) int chunkPages,
                        @ForAll @IntRange(min = 1, max = 4096) int slotSize, @ForAll @IntRange(min = 1, max = 6) int chunks) {
        long chunk = chunkPages * PAGE;
        AtomicLong clock = new AtomicLong();
        PurgePolicy policy = switch (policyName) {
            case "immediately" -> PurgePolicy.immediately();
            case "after" -> PurgePolicy.after(Duration.ofNanos(100));
            default -> PurgePolicy.never();
        };
        try (FixedRange range = rangeKind.of(chunks * chunk)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, slotSize).chunkSize(chunk).purge(policy)
                    .clock(clock::get).build();
            long slot = slab.slotSize();
            long perChunk = chunk / slot;
            assertEquals(chunks * perChunk * slot, slab.capacity(), "every whole chunk of the range");
            AllocatorModel model = new AllocatorModel(range, ops.hashCode());
            Random random = new Random(ops.hashCode());
            long base = range.segment().address();
            Set<Long> purged = new HashSet<>();
            Map<Long, Long> emptySince = new HashMap<>();
            for (Op op : ops) {
                long now = clock.get();
                switch (op) {
                    case ALLOCATE -> {
                        if ("after".equals(policyName)) {
                            expire(model, base, chunk, slab.chunksTaken(), purged, emptySince, now);
                        }
                        long size = 1 + random.nextLong(slot);
                        long alignment = Math.min(1L << random.nextInt(13), slab.slotAlignment());
                        if (model.allocate(slab, size, alignment, true)) {
                            purged.remove((model.live().getLast().segment().address() - base) / chunk);
                        } else {
                            assertEquals(chunks * perChunk, model.live().size(), "null only when every slot is live");
                        }
                    }
                    case FREE -> {
                        AllocatorModel.Block b = model.freeOne(slab);
                        if (b != null) {
                            long c = (b.segment().address() - base) / chunk;
                            if (!holdsLive(model, base, chunk, c)) {
                                emptySince.put(c, now);
                                if ("immediately".equals(policyName)) {
                                    purged.add(c);
                                }
                            }
                            if ("after".equals(policyName)) {
                                expire(model, base, chunk, slab.chunksTaken(), purged, emptySince, now);
                            }
                        }
                    }
                    case PURGE -> {
                        int empty = slab.emptyChunks();
                        assertEquals(empty * chunk, slab.purge());
                        assertEquals(0, slab.emptyChunks());
                        for (long c = 0; c < slab.chunksTaken(); c++) {
                            if (!holdsLive(model, base, chunk, c)) {
                                purged.add(c);
                            }
                        }
                    }
                    case TICK -> clock.addAndGet(50); // two ticks are the delay exactly
                }
                model.checkLiveIntact();
                assertEquals(model.live().size(), slab.liveSlots(), "live slots");
                long emptyNow = 0;
                for (long c = 0; c < slab.chunksTaken(); c++) {
                    if (!holdsLive(model, base, chunk, c) && !purged.contains(c)) {
                        emptyNow++;
                    }
                }
                assertEquals(emptyNow, slab.emptyChunks(), "empty chunks not yet purged, under " + policy);
                for (long c : purged) {
                    MemorySegment bytes = range.segment().asSlice(c * chunk, chunk);
                    assertEquals(-1, bytes.mismatch(MemorySegment.ofArray(new byte[(int) chunk])),
                            "purged chunk " + c + " reads zero");
                }
            }
            slab.close();
        }
    }

    /** The model of {@code PurgePolicy.after(100 ns)}: a call purges the chunks empty for 100 ns or more. */
    private static void expire(AllocatorModel model, long base, long chunk, int taken, Set<Long> purged,
                               Map<Long, Long> emptySince, long now) {
        for (long c = 0; c < taken; c++) {
            if (!holdsLive(model, base, chunk, c) && !purged.contains(c) && now - emptySince.get(c) >= 100) {
                purged.add(c);
            }
        }
    }

    private static boolean holdsLive(AllocatorModel model, long base, long chunk, long c) {
        for (AllocatorModel.Block b : model.live()) {
            if ((b.segment().address() - base) / chunk == c) {
                return true;
            }
        }
        return false;
    }

    enum HandleOp { ALLOCATE, FREE, FREE_STALE, RESOLVE, RESOLVE_STALE }

    @Provide
    Arbitrary<List<HandleOp>> handleOps() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(HandleOp.ALLOCATE)),
                Tuple.of(5, Arbitraries.just(HandleOp.FREE)),
                Tuple.of(2, Arbitraries.just(HandleOp.FREE_STALE)),
                Tuple.of(3, Arbitraries.just(HandleOp.RESOLVE)),
                Tuple.of(2, Arbitraries.just(HandleOp.RESOLVE_STALE))).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 300)
    void generationalSlab(@ForAll("handleOps") List<HandleOp> ops, @ForAll("ranges") Ranges.Kind rangeKind,
                          @ForAll @IntRange(min = 1, max = 3) int bits, @ForAll @IntRange(min = 1, max = 6) int slots) {
        long slotSize = PAGE;
        int uses = (1 << bits) - 1;
        try (FixedRange range = rangeKind.of(slots * slotSize)) {
            GenerationalSlab slab = GenerationalSlab.builder(range, slotSize)
                    .generationBits(bits).build();
            // handle -> fill byte while live; stale handles map to null
            Map<Long, Byte> handles = new HashMap<>();
            List<Long> live = new ArrayList<>();
            int[] used = new int[slots];
            Random random = new Random(ops.hashCode());
            for (HandleOp op : ops) {
                switch (op) {
                    case ALLOCATE -> {
                        long h = slab.tryAllocateHandle();
                        boolean room = false;
                        for (int i = 0; i < slots; i++) {
                            room |= used[i] < uses && !liveSlot(live, i);
                        }
                        assertEquals(room, h != GenerationalSlab.NO_HANDLE, "full only when every slot is live or retired");
                        if (h != GenerationalSlab.NO_HANDLE) {
                            assertFalse(handles.containsKey(h), "a handle repeats: 0x" + Long.toHexString(h));
                            int slot = GenerationalSlab.slotOf(h);
                            used[slot]++;
                            assertEquals(used[slot], GenerationalSlab.generationOf(h), "generation counts the uses");
                            MemorySegment s = slab.resolve(h);
                            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) slotSize])), "reads zero");
                            byte fill = (byte) (1 + random.nextInt(255));
                            s.fill(fill);
                            handles.put(h, fill);
                            live.add(h);
                        }
                    }
                    case FREE -> {
                        if (!live.isEmpty()) {
                            long h = live.remove(random.nextInt(live.size()));
                            slab.free(h);
                            handles.put(h, null);
                        }
                    }
                    case RESOLVE -> {
                        if (!live.isEmpty()) {
                            long h = live.get(random.nextInt(live.size()));
                            assertEquals(handles.get(h), slab.resolve(h).get(JAVA_BYTE, slotSize - 1));
                        }
                    }
                    case FREE_STALE, RESOLVE_STALE -> {
                        List<Long> stale = handles.entrySet().stream().filter(e -> e.getValue() == null)
                                .map(Map.Entry::getKey).toList();
                        if (!stale.isEmpty()) {
                            long h = stale.get(random.nextInt(stale.size()));
                            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                    () -> {
                                        if (op == HandleOp.FREE_STALE) {
                                            slab.free(h);
                                        } else {
                                            slab.resolve(h);
                                        }
                                    });
                            assertTrue(e.getMessage().contains("(slot " + GenerationalSlab.slotOf(h) + ", generation "
                                    + GenerationalSlab.generationOf(h) + ")"), e.getMessage());
                        }
                    }
                }
                assertEquals(live.size(), slab.liveSlots());
                long retired = 0;
                for (int i = 0; i < slots; i++) {
                    retired += used[i] == uses && !liveSlot(live, i) ? 1 : 0;
                }
                assertEquals(retired, slab.retiredSlots(), "retired: used up and free");
                for (Map.Entry<Long, Byte> e : handles.entrySet()) {
                    assertEquals(e.getValue() != null, slab.isLive(e.getKey()), "isLive of 0x" + Long.toHexString(e.getKey()));
                }
            }
            for (long h : live) {
                assertNotEquals(0, slab.resolve(h).get(JAVA_BYTE, 0));
            }
            slab.close();
        }
    }

    private static boolean liveSlot(List<Long> live, int slot) {
        for (long h : live) {
            if (GenerationalSlab.slotOf(h) == slot) {
                return true;
            }
        }
        return false;
    }
}
