package dev.pagewise.os.linux;

import dev.pagewise.os.MapOptions;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.GuardPage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GuardAndLockTest {

    static final long PAGE = Libc.PAGE_SIZE;

    @Test
    void guardPagesShouldBeInaccessibleAndSurviveCommitsToTheEnd() throws Exception {
        try (MmapBacked region = MmapBacked.map(1 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            GuardPage guarded = GuardPage.around(region);
            long base = region.segment().address();
            assertEquals((1 << 20) - 2 * PAGE, guarded.byteSize());
            assertEquals(base + PAGE, guarded.segment().address());
            assertTrue(GuardInstallTest.isGuard(base));
            try (BumpArena arena = BumpArena.over(guarded)) {
                arena.allocate(guarded.byteSize(), 1).set(JAVA_BYTE, guarded.byteSize() - 1, (byte) 1);
            }
            assertTrue(GuardInstallTest.isGuard(base), "first guard kept through commits");
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base + PAGE));
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base + (1 << 20) - PAGE - 1));
            assertTrue(GuardInstallTest.isGuard(base + (1 << 20) - PAGE), "last guard kept");
            assertThrows(IllegalArgumentException.class, () -> guarded.releasePages(guarded.byteSize(), PAGE));
            guarded.close();
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base), "closing restores the pages");
            assertTrue(!GuardInstallTest.isGuard(base), "closing removes the guard");
        }
        assertThrows(IllegalArgumentException.class, () -> GuardPage.around(MmapBacked.map(2 * PAGE)));
    }

    @Test
    void aNativeWritePastTheEndShouldFaultAtTheGuard() throws Exception {
        Result inside = fork(List.of(), "guard-inside");
        assertEquals(0, inside.exit(), inside.output());
        assertTrue(inside.output().contains("survived"), inside.output());
        Result past = fork(List.of(), "guard-past");
        assertNotEquals(0, past.exit(), "one byte past the end must fault: " + past.output());
        assertTrue(past.output().contains("SIGSEGV"), past.output());
        assertTrue(!past.output().contains("survived"), past.output());
        Result fallback = fork(List.of(), "guard-past-fallback");
        assertNotEquals(0, fallback.exit(), "the mprotect guard faults too: " + fallback.output());
        assertTrue(fallback.output().contains("SIGSEGV"), fallback.output());
    }

    @Test
    void lockedRegionShouldBeLockedAndExcludedFromDumps() throws Exception {
        try (Locked locked = Locked.map(1 << 20, true)) {
            String flags = vmFlags(locked.segment().address());
            assertTrue(flags.contains(" lo"), "VM_LOCKED: " + flags);
            assertTrue(flags.contains(" dd"), "MADV_DONTDUMP: " + flags);
            locked.segment().fill((byte) 7);
            locked.releasePages(0, PAGE);
            assertEquals(0, locked.segment().get(JAVA_BYTE, 100));
            assertEquals(7, locked.segment().get(JAVA_BYTE, PAGE));
            dev.pagewise.core.OsBacked part = locked.slice(2 * PAGE, 2 * PAGE);
            dev.pagewise.core.Slab user = dev.pagewise.core.Slab.over(part, 64);
            assertThrows(IllegalStateException.class, locked::close);
            assertEquals(7, locked.segment().get(JAVA_BYTE, PAGE), "a refused close zeroes nothing");
            user.close();
            assertThrows(IllegalStateException.class, locked::close, "the slice still holds it");
            part.close();
        }
    }

    @Test
    void mlockFailureShouldFailClosed() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux) to drop CAP_IPC_LOCK");
        Result r = fork(List.of("/usr/bin/setpriv", "--bounding-set", "-ipc_lock", "--inh-caps", "-ipc_lock",
                "/bin/sh", "-c", "ulimit -l 64 && exec \"$0\" \"$@\""), "lock");
        assumeTrue(r.output().contains("refused:") || r.output().contains("locked"),
                () -> "the forked JVM did not run the probe: " + r.output());
        assertTrue(r.output().contains("refused: mlock("), r.output());
        assertTrue(r.output().contains("ENOMEM (12)") || r.output().contains("EPERM (1)"), r.output());
    }

    private static String vmFlags(long address) throws IOException {
        String smaps = Files.readString(Path.of("/proc/self/smaps"));
        int at = smaps.indexOf(String.format("%x-", address));
        int flags = smaps.indexOf("VmFlags:", at);
        return smaps.substring(flags, smaps.indexOf('\n', flags));
    }

    record Result(int exit, String output) {
    }

    private static Result fork(List<String> prefix, String probe) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + Files.createTempDirectory("pagewise") + "/hs_err_%p.log", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), ForkedProbe.class.getName(), probe));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("forked JVM did not finish: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
