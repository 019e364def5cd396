package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pop, resize or close a stack must refuse changes nothing: no byte zeroed, no cursor moved, no frame lost. */
class StackArenaMisuseTest {

    private static Throwable onAnotherThread(Runnable r) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(r).get());
        return e.getCause();
    }

    @Test
    void aPopFromAnotherThreadShouldChangeNothing() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); StackArena stack = StackArena.over(range)) {
            StackArena.Frame frame = stack.push();
            MemorySegment block = frame.allocate(128 << 10, 8); // a large pop goes through the reset policy
            block.fill((byte) 7);
            long allocated = stack.allocated();

            assertInstanceOf(WrongThreadException.class, onAnotherThread(frame::close));

            assertEquals(7, block.get(JAVA_BYTE, (128 << 10) - 1), "not zeroed");
            assertEquals(allocated, stack.allocated());
            assertEquals(1, stack.depth());
            assertTrue(block.scope().isAlive());
            frame.close();
            assertEquals(0, stack.depth());
        }
    }

    @Test
    void aResizeFromAnotherThreadShouldChangeNothing() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); StackArena stack = StackArena.over(range);
             StackArena.Frame frame = stack.push()) {
            MemorySegment block = frame.allocate(256 << 10, 8);
            block.fill((byte) 7);
            long allocated = stack.allocated();

            assertInstanceOf(WrongThreadException.class, onAnotherThread(() -> frame.reallocate(block, 1)));

            assertEquals(7, block.get(JAVA_BYTE, 200 << 10));
            assertEquals(allocated, stack.allocated());
        }
    }

    @Test
    void aCloseFromAnotherThreadShouldLeaveTheStackOpenAndUsable() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            StackArena stack = StackArena.over(range);

            assertInstanceOf(WrongThreadException.class, onAnotherThread(stack::close));

            assertTrue(!stack.isClosed());
            stack.push().close();
            stack.close();
            BumpArena.over(range).close(); // released: another allocator may take the range
        }
    }

    private static StackArena.Frame inDowncall;
    private static Throwable seenInUpcall;

    @SuppressWarnings("unused") // called by qsort through an upcall stub
    private static int compare(MemorySegment a, MemorySegment b) {
        if (seenInUpcall == null) {
            seenInUpcall = assertThrows(IllegalStateException.class, inDowncall::close);
        }
        return Integer.compare(a.reinterpret(4).get(JAVA_INT, 0), b.reinterpret(4).get(JAVA_INT, 0));
    }

    @Test
    void aPopWhileADowncallHoldsTheFrameShouldChangeNothing() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle qsort = linker.downcallHandle(linker.defaultLookup().find("qsort").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        MethodHandle compare = MethodHandles.lookup().findStatic(StackArenaMisuseTest.class, "compare",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
        try (NativeBacked range = NativeBacked.allocate(1 << 20); StackArena stack = StackArena.over(range);
             Arena upcalls = Arena.ofConfined()) {
            MemorySegment comparator = linker.upcallStub(compare, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS),
                    upcalls);
            inDowncall = stack.push();
            MemorySegment array = inDowncall.allocate(JAVA_INT, 4);
            for (int i = 0; i < 4; i++) {
                array.setAtIndex(JAVA_INT, i, 4 - i);
            }

            qsort.invokeExact(array, 4L, 4L, comparator); // its comparator tries to pop the frame

            assertTrue(seenInUpcall.getMessage().contains("acquired"), seenInUpcall.getMessage());
            assertEquals(1, array.getAtIndex(JAVA_INT, 0), "sorted, not wiped");
            assertEquals(4, array.getAtIndex(JAVA_INT, 3));
            assertEquals(1, stack.depth());
            inDowncall.close();
            assertEquals(0, stack.depth());
        }
    }
}
