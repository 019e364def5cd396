package dev.pagewise.os.linux;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.GuardPage;
import dev.pagewise.os.OsException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A guard or unguard that fails partway must leave no page that a reset would fault on. */
class GuardFailureTest {

    static final long PAGE = Libc.PAGE_SIZE;

    @Test
    void aFailedGuardThatIsUndoneShouldLeaveThePagesWritable() {
        for (boolean advice : new boolean[] {true, false}) {
            try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
                region.guardAdvice(advice);
                region.failSteps("guard"); // the pages are guarded, then the call reports a failure
                OsException e = assertThrows(OsException.class, () -> region.guard(4 * PAGE, 2 * PAGE));
                assertEquals("EPERM", e.errnoName());
                region.failSteps();
                region.zero(4 * PAGE, 2 * PAGE); // faulted before the fix: the marks were gone, the guards were not
                region.releasePages(4 * PAGE, 2 * PAGE);
                MemorySegment s = region.segment();
                s.set(JAVA_BYTE, 4 * PAGE, (byte) 1);
                assertEquals(1, s.get(JAVA_BYTE, 4 * PAGE), "readable and writable again");
            }
        }
    }

    @Test
    void aFailedGuardThatCannotBeUndoneShouldKeepItsMarks() {
        try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
            region.failSteps("guard", "undo");
            OsException e = assertThrows(OsException.class, () -> region.guard(4 * PAGE, 2 * PAGE));
            assertEquals(1, e.getSuppressed().length, "the failed undo is attached");
            region.failSteps();
            assertThrows(IllegalStateException.class, () -> region.zero(4 * PAGE, PAGE), "refused, not faulted");
            assertThrows(IllegalStateException.class, () -> region.releasePages(5 * PAGE, PAGE));
            region.zero(0, 4 * PAGE);
            region.unguard(4 * PAGE, 2 * PAGE);
            region.zero(4 * PAGE, 2 * PAGE);
        }
    }

    @Test
    void aGuardPageWhoseUnguardFailsShouldKeepItsInnerRangeHeld() {
        MmapBacked region = MmapBacked.map(16 * PAGE);
        GuardPage guarded = GuardPage.around(region);
        region.failSteps("unguard");
        assertThrows(OsException.class, guarded::close);
        assertEquals(1, region.lifetime().holders(), "still held: it may keep a guard page");
        assertThrows(IllegalStateException.class, () -> BumpArena.over(region), "no allocator over the guard page");
        assertThrows(IllegalStateException.class, region::close);
        assertThrows(IllegalStateException.class, () -> region.zero(0, PAGE), "the guard page is still refused");
        assertTrue(region.lifetime().isAlive());
    }
}
