package dev.pagewise.tests;

import dev.pagewise.core.FixedRange;
import dev.pagewise.core.NativeBacked;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slices of one range, opened and closed at random, against a model of the open parts: a slice is granted
 * exactly when its part overlaps no open slice (an empty part overlaps nothing), and a refusal takes no hold.
 */
class SliceProperties {

    private static final long UNIT = 4096;
    private static final int UNITS = 16;

    /**
     * Each step opens a slice of {@code [start, start + length)} units, or, when its length is 0 and a slice is
     * open, closes the open slice its start picks.
     */
    @Property(tries = 200)
    void aSliceShouldBeGrantedExactlyWhenItOverlapsNoOpenSlice(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = UNITS - 1) Integer> starts,
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 6) Integer> lengths) {
        try (NativeBacked range = NativeBacked.allocate(UNITS * UNIT)) {
            List<FixedRange> open = new ArrayList<>();
            List<int[]> parts = new ArrayList<>();
            for (int i = 0; i < Math.min(starts.size(), lengths.size()); i++) {
                int start = starts.get(i);
                int length = Math.min(lengths.get(i), UNITS - start);
                if (lengths.get(i) == 0 && !open.isEmpty()) {
                    int which = start % open.size();
                    open.remove(which).close();
                    parts.remove(which);
                    continue;
                }
                boolean free = true;
                for (int[] part : parts) {
                    free &= length == 0 || part[1] == 0 || start + length <= part[0] || part[0] + part[1] <= start;
                }
                if (free) {
                    open.add(range.slice(start * UNIT, length * UNIT));
                    parts.add(new int[] {start, length});
                } else {
                    IllegalStateException refused = assertThrows(IllegalStateException.class,
                            () -> range.slice(start * UNIT, length * UNIT));
                    assertTrue(refused.getMessage().contains("overlaps its open slice"), refused.getMessage());
                }
                assertEquals(open.size(), range.lifetime().holders(), "one hold per open slice, none for a refusal");
            }
            open.forEach(FixedRange::close);
            assertEquals(0, range.lifetime().holders());
        }
    }
}
