package dev.pagewise.core.internal;

import dev.pagewise.core.FixedRange;
import dev.pagewise.core.NativeBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestrictedTest {

    @Test
    void pagewiseShouldReadItsOwnRangesAsTheirSegmentsAndNotOnceClosed() {
        NativeBacked range = NativeBacked.allocate(8192);
        FixedRange slice = range.slice(4096, 4096);
        MemorySegment whole = Restricted.segmentOf(range);
        MemorySegment part = Restricted.segmentOf(slice);
        assertEquals(range.segment().address(), whole.address());
        assertEquals(8192, whole.byteSize());
        assertEquals(range.segment().address() + 4096, part.address());
        assertEquals(4096, part.byteSize());
        slice.close();
        assertThrows(IllegalStateException.class, () -> Restricted.segmentOf(slice));
        range.close();
        assertThrows(IllegalStateException.class, () -> Restricted.segmentOf(range));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void onlyPagewiseClassesShouldRegisterHowTheirSegmentIsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Restricted.ownSegment((Class) String.class, range -> MemorySegment.NULL));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
    }
}
