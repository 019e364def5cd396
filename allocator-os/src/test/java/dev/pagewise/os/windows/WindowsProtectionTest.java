package dev.pagewise.os.windows;

import dev.pagewise.core.Protection;
import dev.pagewise.os.windows.WindowsProtection;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pure part of the Windows backing; VirtualAlloc itself cannot run on this Linux machine. */
class WindowsProtectionTest {

    @Test
    void everyProtectionMapsToTheDocumentedPageConstant() {
        Map<Protection, Integer> expected = Map.of(
                Protection.NONE, 0x01,
                Protection.READ, 0x02,
                Protection.WRITE, 0x04,
                Protection.READ_WRITE, 0x04,
                Protection.EXECUTE, 0x10,
                Protection.READ_EXECUTE, 0x20,
                Protection.WRITE_EXECUTE, 0x40,
                Protection.READ_WRITE_EXECUTE, 0x40);
        for (Protection p : Protection.values()) {
            assertEquals(expected.get(p), WindowsProtection.of(p), p.name());
        }
    }

    @Test
    void protectionOfShouldRoundTrip() {
        for (Protection p : Protection.values()) {
            assertEquals(p, Protection.of(p.canRead(), p.canWrite(), p.canExecute()));
        }
    }
}
