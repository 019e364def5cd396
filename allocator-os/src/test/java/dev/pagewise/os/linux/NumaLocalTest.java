package dev.pagewise.os.linux;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.GuardPage;
import dev.pagewise.os.OsException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NumaLocalTest {

    static final long PAGE = Libc.PAGE_SIZE;

    @Test
    void bindShouldSetTheRangesPolicyAsGetMempolicyReportsIt() {
        assumeTrue(Files.isDirectory(Path.of("/sys/devices/system/node/node0")), "no NUMA node 0 in sysfs");
        try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.policyAt(region, 0));
            NumaLocal.bind(region, 4 * PAGE, 4 * PAGE, NumaPolicy.bind(0), false);
            assertEquals(NumaPolicy.bind(0), NumaLocal.policyAt(region, 4 * PAGE));
            assertEquals(NumaPolicy.bind(0), NumaLocal.policyAt(region, 8 * PAGE - 1));
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.policyAt(region, 8 * PAGE), "only the part");
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.policyAt(region, 0));

            region.segment().fill((byte) 1);
            assertEquals(0, NumaLocal.nodeOf(region, 5 * PAGE), "the bound page is on node 0");

            NumaLocal.bind(region, 0, 16 * PAGE, NumaPolicy.interleave(0), true);
            assertEquals(NumaPolicy.interleave(0), NumaLocal.policyAt(region, 0));
            NumaLocal.bind(region, 0, 16 * PAGE, NumaPolicy.preferred(0), true);
            assertEquals(NumaPolicy.preferred(0), NumaLocal.policyAt(region, 15 * PAGE));
            NumaLocal.bind(region, 0, 16 * PAGE, NumaPolicy.DEFAULT, false);
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.policyAt(region, 15 * PAGE));
        }
    }

    @Test
    void aNodeThatIsNotOnlineShouldFailWithEinvalNamingIt() throws Exception {
        String online = Files.readString(Path.of("/sys/devices/system/node/online")).trim();
        assumeTrue(online.equals("0"), "needs a single-node machine, this one has nodes " + online);
        try (MmapBacked region = MmapBacked.map(4 * PAGE)) {
            OsException e = assertThrows(OsException.class,
                    () -> NumaLocal.bind(region, 0, 4 * PAGE, NumaPolicy.bind(5), false));
            assertEquals("EINVAL", e.errnoName());
            assertEquals("mbind(0x" + Long.toHexString(region.segment().address()) + ", 16.0 KiB, BIND nodes=[5]) failed: EINVAL (22)",
                    e.getMessage());
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.policyAt(region, 0), "nothing changed");
            e = assertThrows(OsException.class, () -> NumaLocal.setThreadPolicy(NumaPolicy.preferred(7)));
            assertTrue(e.getMessage().startsWith("set_mempolicy(PREFERRED nodes=[7]) failed: EINVAL (22)"), e.getMessage());
        }
    }

    @Test
    void threadPolicyShouldBeSetAndUndone() throws Exception {
        Thread t = Thread.ofPlatform().unstarted(() -> {
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.threadPolicy());
            NumaLocal.setThreadPolicy(NumaPolicy.bind(0));
            assertEquals(NumaPolicy.bind(0), NumaLocal.threadPolicy());
            NumaLocal.setThreadPolicy(NumaPolicy.DEFAULT);
            assertEquals(NumaPolicy.DEFAULT, NumaLocal.threadPolicy());
        });
        Throwable[] failure = new Throwable[1];
        t.setUncaughtExceptionHandler((_, x) -> failure[0] = x);
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @Test
    void aVirtualThreadShouldNotSetItsCarriersPolicy() throws Exception {
        Throwable[] thrown = new Throwable[1];
        NumaPolicy[] after = new NumaPolicy[1];
        Thread.ofVirtual().start(() -> {
            try {
                NumaLocal.setThreadPolicy(NumaPolicy.preferred(0));
            } catch (Throwable t) {
                thrown[0] = t;
            }
            after[0] = NumaLocal.threadPolicy();
        }).join();
        assertTrue(thrown[0] instanceof WrongThreadException, String.valueOf(thrown[0]));
        assertTrue(thrown[0].getMessage().contains("carrier"), thrown[0].getMessage());
        assertEquals(NumaPolicy.DEFAULT, after[0], "the carrier's policy is unchanged");
    }

    @Test
    void bindShouldWorkUnderAnAllocatorAndKeepTheRangeOpenWhileItRuns() {
        assumeTrue(Files.isDirectory(Path.of("/sys/devices/system/node/node0")), "no NUMA node 0 in sysfs");
        try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
            try (BumpArena arena = BumpArena.over(region)) {
                NumaLocal.bind(region, 0, 16 * PAGE, NumaPolicy.preferred(0), false);
                assertEquals(NumaPolicy.preferred(0), NumaLocal.policyAt(region, 0), "an exclusive hold does not stop bind");
                arena.allocate(8, 8);
            }
            NumaLocal.bind(region, 0, 16 * PAGE, NumaPolicy.DEFAULT, false);
            assertEquals(0, region.lifetime().holders(), "bind gave its pin back");
        }
        MmapBacked closed = MmapBacked.map(4 * PAGE);
        closed.close();
        assertThrows(IllegalStateException.class, () -> NumaLocal.bind(closed, 0, 4 * PAGE, NumaPolicy.DEFAULT, false));
        assertThrows(IllegalStateException.class, () -> NumaLocal.bind(closed, 0, 0, NumaPolicy.DEFAULT, false));
    }

    @Test
    void badArgumentsShouldBeRejectedNamingThem() {
        assertThrows(IllegalArgumentException.class, () -> NumaPolicy.bind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NumaPolicy.bind(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NumaPolicy.bind(NumaPolicy.MAX_NODES));
        assertThrows(IllegalArgumentException.class, () -> new NumaPolicy(NumaPolicy.Mode.LOCAL, Set.of(0)));
        assertThrows(IllegalArgumentException.class, () -> new NumaPolicy(NumaPolicy.Mode.PREFERRED, Set.of(0, 1)));
        try (MmapBacked region = MmapBacked.map(4 * PAGE)) {
            assertThrows(IllegalArgumentException.class, () -> NumaLocal.bind(region, 1, PAGE, NumaPolicy.local(), false));
            assertThrows(IllegalArgumentException.class, () -> NumaLocal.bind(region, 0, 5 * PAGE, NumaPolicy.local(), false));
            assertThrows(IndexOutOfBoundsException.class, () -> NumaLocal.policyAt(region, 4 * PAGE));
            GuardPage guarded = GuardPage.around(region);
            NumaLocal.bind(guarded, 0, PAGE, NumaPolicy.bind(0), false);
            assertEquals(NumaPolicy.bind(0), NumaLocal.policyAt(region, PAGE), "offsets are the guarded range's");
            guarded.close();
        }
        MmapBacked closed = MmapBacked.map(PAGE);
        closed.close();
        assertThrows(IllegalStateException.class, () -> NumaLocal.bind(closed, 0, PAGE, NumaPolicy.local(), false));
    }
}
