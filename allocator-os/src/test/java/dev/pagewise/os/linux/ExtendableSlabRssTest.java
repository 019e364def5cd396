package dev.pagewise.os.linux;

import dev.pagewise.core.ExtendableSlab;
import dev.pagewise.core.PurgePolicy;
import dev.pagewise.os.MapOptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an ExtendableSlab over a lazily committed mapping keeps resident, read with {@code mincore} over the
 * slab's own mapping ({@link MmapBacked#residentBytes}), not the whole process.
 */
class ExtendableSlabRssTest {

    private static final long CHUNK = 1 << 20;
    private static final int CHUNKS = 8;
    private static final long SLOT = 4096;

    private static List<MemorySegment> fill(ExtendableSlab slab) {
        List<MemorySegment> all = new ArrayList<>();
        for (long i = 0; i < CHUNKS * CHUNK / SLOT; i++) {
            MemorySegment s = slab.allocate(SLOT, 8);
            s.set(JAVA_LONG, 0, i + 1); // touch every page
            all.add(s);
        }
        return all;
    }

    @Test
    void purgeShouldGiveTheEmptyChunksPagesBack() {
        try (MmapBacked range = MmapBacked.map(1L << 30, MapOptions.DEFAULT.withLazyCommit())) {
            ExtendableSlab slab = ExtendableSlab.builder(range, SLOT).chunkSize(CHUNK).build();
            long used = CHUNKS * CHUNK;
            List<MemorySegment> all = fill(slab);
            assertEquals(CHUNKS, slab.chunksTaken());
            assertEquals(used, range.committed(), "committed chunk by chunk, not the reservation");
            long filled = range.residentBytes(0, range.byteSize());
            all.forEach(slab::deallocate);
            long freed = range.residentBytes(0, range.byteSize());
            assertEquals(used, slab.purge());
            long purged = range.residentBytes(0, range.byteSize());
            System.out.printf("ExtendableSlabRssTest.purgeShouldGiveTheEmptyChunksPagesBack: resident in the 1 GiB "
                    + "mapping: %d KiB filled, %d KiB freed, %d KiB purged%n", filled >> 10, freed >> 10, purged >> 10);
            assertEquals(used, filled, "every page of the eight chunks written");
            assertEquals(used, freed, "freeing alone keeps the pages (never purges by itself)");
            assertEquals(0, purged, "purged: no page of the mapping resident");
            assertEquals(used, range.committed(), "the chunks stay committed");
            // a stale segment of a purged chunk reads zero, and a write through it faults one zero page back in
            MemorySegment stale = all.get(3);
            assertEquals(0, stale.get(JAVA_LONG, 0));
            stale.set(JAVA_LONG, 0, 7);
            assertEquals(Libc.PAGE_SIZE, range.residentBytes(0, range.byteSize()));
            slab.close();
            assertEquals(0, range.residentBytes(0, range.byteSize()), "close releases every chunk");
        }
    }

    @Test
    void immediatelyShouldReleaseEachChunkAsItEmpties() {
        try (MmapBacked range = MmapBacked.map(1L << 30, MapOptions.DEFAULT.withLazyCommit())) {
            ExtendableSlab slab = ExtendableSlab.builder(range, SLOT).chunkSize(CHUNK)
                    .purge(PurgePolicy.immediately()).build();
            List<MemorySegment> all = fill(slab);
            int perChunk = (int) (CHUNK / SLOT);
            for (int c = CHUNKS - 1; c >= CHUNKS / 2; c--) {
                for (int i = 0; i < perChunk; i++) {
                    slab.deallocate(all.get(c * perChunk + i));
                }
            }
            assertEquals(CHUNKS / 2 * CHUNK, range.residentBytes(0, range.byteSize()), "the upper half went back");
            for (int i = 0; i < perChunk; i++) {
                MemorySegment s = slab.allocate(SLOT, 8);
                assertEquals(0, s.get(JAVA_LONG, 0), "a purged chunk's slot reads zero");
                assertTrue(range.contains(s));
            }
            assertEquals((CHUNKS / 2 + 1) * CHUNK, range.residentBytes(0, range.byteSize()), "one chunk faulted back in");
            slab.close();
        }
    }
}
