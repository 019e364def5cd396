package dev.pagewise.testkit;

import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link OsBacked} contract on top of {@link FixedRangeContract}: released pages read zero, protected
 * and guard pages are refused by every write the library makes, and slices stay inside their bounds.
 */
public abstract class OsBackedContract extends FixedRangeContract {

    /** Creates this suite; JUnit calls it. */
    protected OsBackedContract() {
    }

    @Override
    protected abstract OsBacked create(long byteSize);

    @Test
    void releasedPagesShouldReadZeroAndOthersKeepTheirBytes() {
        try (OsBacked range = create(1 << 20)) {
            long page = range.pageSize();
            range.commit(0, 4 * page);
            range.segment().asSlice(0, 4 * page).fill((byte) 1);
            range.releasePages(page, 2 * page);
            assertEquals(1, range.segment().get(JAVA_BYTE, page - 1));
            assertEquals(0, range.segment().get(JAVA_BYTE, page));
            assertEquals(0, range.segment().get(JAVA_BYTE, 3 * page - 1));
            assertEquals(1, range.segment().get(JAVA_BYTE, 3 * page));
            assertThrows(IllegalArgumentException.class, () -> range.releasePages(1, page));
            assertThrows(IllegalArgumentException.class, () -> range.releasePages(0, page + 1));
        }
    }

    @Test
    void protectedPagesShouldBeRefusedByZeroAndRelease() {
        try (OsBacked range = create(1 << 20)) {
            long page = range.pageSize();
            range.commit(0, 4 * page);
            range.segment().asSlice(0, 4 * page).fill((byte) 1);
            MemorySegment view = range.protect(page, page, Protection.READ);
            assertTrue(view.isReadOnly());
            assertThrows(IllegalStateException.class, () -> range.zero(0, 2 * page));
            assertThrows(IllegalStateException.class, () -> range.releasePages(0, 2 * page));
            assertThrows(IllegalStateException.class, () -> ResetPolicy.zeroAll().reset(range, 0, 4 * page));
            assertEquals(1, range.segment().get(JAVA_BYTE, 0), "a refused reset writes nothing");
            range.protect(page, page, Protection.READ_WRITE);
            ResetPolicy.defaultPolicy().reset(range, 0, 4 * page);
            assertEquals(-1, range.segment().asSlice(0, 4 * page).mismatch(MemorySegment.ofArray(new byte[(int) (4 * page)])));
            assertThrows(IllegalArgumentException.class, () -> range.protect(0, range.byteSize() + page, Protection.READ));
        }
    }

    @Test
    void guardPagesShouldBeRefusedByZeroAndReleaseUntilUnguarded() {
        try (OsBacked range = create(1 << 20)) {
            long page = range.pageSize();
            range.commit(0, 4 * page);
            range.segment().asSlice(0, 4 * page).fill((byte) 1);
            range.guard(page, page);
            assertThrows(IllegalStateException.class, () -> range.zero(0, 2 * page));
            assertThrows(IllegalStateException.class, () -> range.releasePages(page, page));
            assertThrows(IllegalStateException.class, () -> ResetPolicy.defaultPolicy().reset(range, 0, 4 * page));
            assertEquals(1, range.segment().get(JAVA_BYTE, 0), "a refused reset writes nothing");
            assertEquals(1, range.segment().get(JAVA_BYTE, 2 * page), "guarding one page leaves its neighbours");
            range.unguard(page, page);
            ResetPolicy.defaultPolicy().reset(range, 0, 4 * page);
            assertEquals(-1, range.segment().asSlice(0, 4 * page).mismatch(MemorySegment.ofArray(new byte[(int) (4 * page)])));
            assertThrows(IllegalArgumentException.class, () -> range.guard(1, page));
            assertThrows(IllegalArgumentException.class, () -> range.guard(0, range.byteSize() + page));
        }
    }

    @Test
    void resetsOfDisjointSlicesShouldNeverReachIntoEachOther() {
        try (OsBacked range = create(1 << 20)) {
            long half = range.byteSize() / 2 / range.pageSize() * range.pageSize();
            OsBacked low = range.slice(0, half);
            OsBacked high = range.slice(half, half);
            high.commit(0, half);
            high.segment().fill((byte) 2);
            low.commit(0, half);
            low.segment().fill((byte) 1);
            for (ResetPolicy policy : new ResetPolicy[] {ResetPolicy.zeroAll(), ResetPolicy.decommitAll(),
                    ResetPolicy.keepResident(0), ResetPolicy.defaultPolicy(), ResetPolicy.trackWrites(1 << 20)}) {
                ResetPolicy.defaultPolicy().reset(low, 0, half);
                low.segment().fill((byte) 1);
                policy.reset(low, 0, half);
                assertTrue(policy.reset(low, 0, half).bytesZeroed() <= half, policy.toString());
                assertEquals(-1, high.segment().mismatch(MemorySegment.ofArray(filled((int) half, 2))),
                        policy + " reached into the other slice");
            }
            low.close();
            high.close();
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
