package dev.pagewise.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatermarkTest {

    @Test
    void crossingsShouldRiseAtALevelAndFallOnlyBelowItsHysteresis() {
        List<Watermark.Crossing> crossings = new ArrayList<>();
        Watermark watermark = Watermark.builder("slab").level("high", 4096).level("critical", 6144)
                .hysteresis(1024).onCrossing(crossings::add).build();
        try (NativeBacked memory = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(memory, 1024, watermark)) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                blocks.add(slab.allocate(1024));
            }
            assertEquals(List.of(new Watermark.Crossing("slab", "high", 4096, true, 4096)), crossings);
            slab.deallocate(blocks.removeLast());                  // 3072: not below 4096 - 1024
            blocks.add(slab.allocate(1024));                       // 4096 again: no new crossing
            assertEquals(1, crossings.size(), "no flapping inside the hysteresis");
            blocks.add(slab.allocate(1024));
            blocks.add(slab.allocate(1024));                       // 6144
            assertEquals("critical", watermark.level());
            slab.deallocate(blocks.removeLast());
            slab.deallocate(blocks.removeLast());
            slab.deallocate(blocks.removeLast());                  // 3072: below 6144 - 1024, not below 3072
            assertEquals("high", watermark.level());
            slab.deallocate(blocks.removeLast());                  // 2048: below high - hysteresis
            assertNull(watermark.level());
            assertEquals(List.of(true, true, false, false), crossings.stream().map(Watermark.Crossing::rising).toList());
            assertEquals("slab fell below high (4.0 KiB): 2.0 KiB live", crossings.getLast().toString());
        }
    }

    @Test
    void aResetShouldFallThroughEveryLevel() {
        List<Watermark.Crossing> crossings = new ArrayList<>();
        Watermark watermark = Watermark.builder("arena").level("a", 100).level("b", 200).onCrossing(crossings::add).build();
        try (NativeBacked memory = NativeBacked.allocate(64 << 10);
             BumpArena arena = BumpArena.builder(memory).listener(watermark).build()) {
            arena.allocate(250);
            arena.reset();
            assertEquals(List.of("a+", "b+", "b-", "a-"),
                    crossings.stream().map(c -> c.level() + (c.rising() ? "+" : "-")).toList());
            assertEquals(0, watermark.bytesLive());
        }
    }

    @Test
    void badLevelsShouldBeRejected() {
        assertThrows(IllegalStateException.class, () -> Watermark.builder("w").build());
        assertThrows(IllegalArgumentException.class, () -> Watermark.builder("w").level("a", 0));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> Watermark.builder("w").level("a", 100).level("b", 100));
        assertTrue(order.getMessage().contains("not above level a"), order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Watermark.builder("w").hysteresis(-1));
        assertThrows(IllegalArgumentException.class, () -> Watermark.builder("w").level("a", 100).hysteresis(100).build());
        assertThrows(NullPointerException.class, () -> Watermark.builder(null));
        assertThrows(NullPointerException.class, () -> Watermark.builder("w").onCrossing(null));
    }

    /** Against a model that recomputes the level from the whole history: the crossings are exactly its changes. */
    @Property(tries = 300)
    void crossingsShouldMatchAModelOfLevelsWithHysteresis(
            @ForAll @Size(max = 80) List<@IntRange(min = -6, max = 6) Integer> steps,
            @ForAll @IntRange(min = 0, max = 2) int hysteresisSlots) {
        long slot = 512;
        long[] levels = {2 * slot, 4 * slot, 5 * slot};
        long hysteresis = hysteresisSlots * slot / 2;
        List<Watermark.Crossing> crossings = new ArrayList<>();
        Watermark watermark = Watermark.builder("p").level("l0", levels[0]).level("l1", levels[1]).level("l2", levels[2])
                .hysteresis(hysteresis).onCrossing(crossings::add).build();
        List<String> expected = new ArrayList<>();
        int modelLevel = -1;
        try (NativeBacked memory = NativeBacked.allocate(32 * slot); Slab slab = Slab.over(memory, slot, watermark)) {
            List<MemorySegment> live = new ArrayList<>();
            for (int step : steps) {
                if (step > 0) {
                    for (int i = 0; i < step && live.size() < 32; i++) {
                        live.add(slab.allocate(slot));
                        modelLevel = model(levels, hysteresis, modelLevel, live.size() * slot, expected);
                    }
                } else {
                    for (int i = 0; i < -step && !live.isEmpty(); i++) {
                        slab.deallocate(live.removeLast());
                        modelLevel = model(levels, hysteresis, modelLevel, live.size() * slot, expected);
                    }
                }
            }
            assertEquals(expected, crossings.stream().map(c -> c.level() + (c.rising() ? "+" : "-")).toList());
            assertEquals(live.size() * slot, watermark.bytesLive());
        }
    }

    private static int model(long[] levels, long hysteresis, int level, long bytes, List<String> out) {
        while (level + 1 < levels.length && bytes >= levels[level + 1]) {
            level++;
            out.add("l" + level + "+");
        }
        while (level >= 0 && bytes < levels[level] - hysteresis) {
            out.add("l" + level + "-");
            level--;
        }
        return level;
    }
}
