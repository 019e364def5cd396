package dev.pagewise.os.linux;

import dev.pagewise.core.ResetPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reset ranges that start and end inside one page, found by ResetProperties on a fresh seed. */
class ResetEdgeTest {

    static final long PAGE = Libc.PAGE_SIZE;

    static Stream<ResetPolicy> policies() {
        return Stream.of(ResetPolicy.zeroAll(), ResetPolicy.decommitAll(), ResetPolicy.keepResident(0),
                ResetPolicy.keepResident(PAGE), ResetPolicy.keepResident(1 << 20), ResetPolicy.trackWrites(0));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void rangeInsideOnePageShouldBeZeroedAndNothingElseTouched(ResetPolicy policy) {
        try (MmapBacked m = MmapBacked.map(4 * PAGE)) {
            MemorySegment s = m.segment();
            s.fill((byte) 7);
            long offset = 3 * PAGE + 100;
            policy.reset(m, offset, 1);
            assertEquals(0, s.get(JAVA_BYTE, offset));
            assertEquals(7, s.get(JAVA_BYTE, offset - 1), "before the range");
            policy.reset(m, PAGE - 10, 10);
            for (long i = PAGE - 10; i < PAGE; i++) {
                assertEquals(0, s.get(JAVA_BYTE, i));
            }
            assertEquals(7, s.get(JAVA_BYTE, PAGE - 11));
        }
    }
}
