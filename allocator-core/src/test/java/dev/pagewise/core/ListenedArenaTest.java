package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A listened {@link BumpArena} is a class of its own inside Pagewise; its messages still name a BumpArena. */
class ListenedArenaTest {

    @Test
    void aListenedArenasRefusalShouldNameABumpArena() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10);
             BumpArena arena = BumpArena.builder(range).listener(Limit.of(Budget.root("request", 1024))).build()) {
            AllocationFailedException refused = assertThrows(AllocationFailedException.class,
                    () -> arena.allocate(2048, 8));
            assertTrue(refused.getMessage().startsWith("BumpArena: cannot allocate 2048 bytes (align 8): budget 'request'"),
                    refused.getMessage());
            assertEquals(null, arena.tryAllocate(2048, 8));
        }
    }

    @Test
    void aClosedListenedArenaShouldSayABumpArenaIsClosed() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            BumpArena arena = BumpArena.builder(range).listener(Statistics.confined()).build();
            MemorySegment block = arena.allocate(64, 8);
            arena.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> arena.usableSize(block));
            assertEquals("BumpArena is closed", closed.getMessage());
        }
    }
}
