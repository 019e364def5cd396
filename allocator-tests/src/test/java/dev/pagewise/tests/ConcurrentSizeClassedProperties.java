package dev.pagewise.tests;

import dev.pagewise.core.ConcurrentSizeClassed;
import dev.pagewise.core.FixedRange;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConcurrentSizeClassed} against a model of live blocks: random sequences of allocate, free on the
 * allocating thread, free on another thread and double free. The model predicts each block's class, the
 * exact live counts, that no two live blocks overlap, that every block handed out reads zero, that a
 * block keeps its bytes until freed, and that every double free throws and changes nothing.
 */
class ConcurrentSizeClassedProperties {

    static final long MAX_CLASS = 2048;

    enum Kind { ALLOCATE, FREE, FREE_REMOTE, DOUBLE_FREE }

    record Op(Kind kind, long size, long alignment, int pick) {
    }

    record Block(MemorySegment segment, long classSize, byte fill) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(Kind.ALLOCATE)),
                Tuple.of(3, Arbitraries.just(Kind.FREE)),
                Tuple.of(3, Arbitraries.just(Kind.FREE_REMOTE)),
                Tuple.of(1, Arbitraries.just(Kind.DOUBLE_FREE)));
        Arbitrary<Long> size = Arbitraries.oneOf(Arbitraries.longs().between(0, 128),
                Arbitraries.longs().between(0, MAX_CLASS));
        Arbitrary<Long> alignment = Arbitraries.integers().between(0, 6).map(i -> 1L << i);
        return Combinators.combine(kind, size, alignment, Arbitraries.integers().between(0, 1000))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(150);
    }

    /** The class the model expects: the smallest that holds the size and whose slots have the alignment. */
    static long expectedClass(long[] classes, long size, long alignment) {
        for (long c : classes) {
            if (c >= size && Long.lowestOneBit(c) >= alignment) {
                return c;
            }
        }
        throw new AssertionError("no class for " + size + " align " + alignment);
    }

    @Property(tries = 150)
    void shouldMatchTheModel(@ForAll("ops") List<Op> ops, @ForAll boolean lazy) throws Exception {
        try (FixedRange range = (lazy ? Ranges.MMAP_LAZY : Ranges.NATIVE).of(4 << 20);
             ExecutorService other = Executors.newSingleThreadExecutor()) {
            ConcurrentSizeClassed allocator = ConcurrentSizeClassed.builder(range).heaps(1).maxClassSize(MAX_CLASS).build();
            long[] classes = allocator.classSizes();
            List<Block> live = new ArrayList<>();
            List<Block> freed = new ArrayList<>();
            byte fill = 1;
            for (Op op : ops) {
                switch (op.kind()) {
                    case ALLOCATE -> {
                        MemorySegment s = allocator.allocate(op.size(), op.alignment());
                        assertNotNull(s);
                        assertEquals(op.size(), s.byteSize());
                        assertEquals(0, s.address() % op.alignment(), "aligned");
                        assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])), "reads zero");
                        long classSize = expectedClass(classes, op.size(), op.alignment());
                        for (Block b : live) {
                            assertTrue(s.address() + classSize <= b.segment().address()
                                    || b.segment().address() + b.classSize() <= s.address(), "overlaps a live block");
                        }
                        s.fill(fill);
                        live.add(new Block(s, classSize, fill++));
                        freed.removeIf(b -> b.segment().address() == s.address());
                    }
                    case FREE, FREE_REMOTE -> {
                        if (!live.isEmpty()) {
                            Block b = live.remove(op.pick() % live.size());
                            MemorySegment expected = MemorySegment.ofArray(new byte[(int) b.segment().byteSize()]).fill(b.fill());
                            assertEquals(-1, b.segment().mismatch(expected), "a live block keeps its bytes");
                            if (op.kind() == Kind.FREE) {
                                allocator.deallocate(b.segment());
                            } else {
                                other.submit(() -> allocator.deallocate(b.segment())).get();
                            }
                            freed.add(b);
                        }
                    }
                    case DOUBLE_FREE -> {
                        if (!freed.isEmpty()) {
                            MemorySegment s = freed.get(op.pick() % freed.size()).segment();
                            if (op.pick() % 2 == 0) {
                                assertThrows(IllegalArgumentException.class, () -> allocator.deallocate(s));
                            } else {
                                ExecutionException e = assertThrows(ExecutionException.class,
                                        () -> other.submit(() -> allocator.deallocate(s)).get());
                                assertTrue(e.getCause() instanceof IllegalArgumentException, e.getCause().toString());
                            }
                        }
                    }
                }
                assertEquals(live.size(), allocator.liveBlocks(), "live blocks");
                assertEquals(live.stream().mapToLong(Block::classSize).sum(), allocator.liveBytes(), "live bytes");
            }
            allocator.close();
        }
    }
}
