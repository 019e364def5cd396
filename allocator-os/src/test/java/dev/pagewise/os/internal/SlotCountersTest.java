package dev.pagewise.os.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotCountersTest {

    @Test
    void sumsShouldAddEachCounterOverTheSlotsAndNothingElse() {
        SlotCounters counters = new SlotCounters(3, 2);
        counters.increment(0, 0);
        counters.increment(2, 0);
        counters.increment(2, 0);
        counters.increment(1, 1);
        assertEquals(3, counters.sum(0));
        assertEquals(1, counters.sum(1));
    }

    @Test
    void slotsHeldByDifferentThreadsShouldLoseNoCount() throws InterruptedException {
        int slots = 4;
        int each = 100_000;
        SlotCounters counters = new SlotCounters(slots, 1);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[slots];
        for (int s = 0; s < slots; s++) {
            int slot = s;
            threads[s] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < each; i++) {
                    counters.increment(slot, 0);
                }
            });
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals((long) slots * each, counters.sum(0));
    }

    @Test
    void badArgumentsShouldBeNamed() {
        IllegalArgumentException slots = assertThrows(IllegalArgumentException.class, () -> new SlotCounters(-1, 1));
        assertTrue(slots.getMessage().contains("slots") && slots.getMessage().contains("-1"), slots.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new SlotCounters(1, 0));
        assertTrue(none.getMessage().contains("counters") && none.getMessage().contains("0"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlotCounters(1, SlotCounters.MAX_COUNTERS + 1));
        assertThrows(IllegalArgumentException.class, () -> new SlotCounters(SlotCounters.MAX_SLOTS + 1, 1));
        SlotCounters counters = new SlotCounters(2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> counters.increment(0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.sum(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.increment(2, 0));
    }
}
