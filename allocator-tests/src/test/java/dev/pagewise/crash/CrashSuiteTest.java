package dev.pagewise.crash;

import dev.pagewise.core.FixedRange;
import dev.pagewise.os.OsMemory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise that misuse throws, tested where a broken promise would end the JVM: in forked JVMs. The
 * unprivileged run puts Pagewise on the module path with native access for its own modules only, and the
 * paths on the class path, without native access, as a library user's code would be.
 */
class CrashSuiteTest {

    @Test
    void unprivilegedCodeShouldGetAnExceptionOnEveryPathAndNeverCrash() throws Exception {
        Result r = fork(List.of("--module-path", modulePath(), "--add-modules", "dev.pagewise.os",
                "--enable-native-access=dev.pagewise.core,dev.pagewise.os",
                "-cp", testClasses(), UnprivilegedPaths.class.getName()));
        assertTrue(r.output().contains("unnamed=true nativeAccess=false pagewise=dev.pagewise.core pagewiseNativeAccess=true"),
                r.output());
        check(r, UnprivilegedPaths.paths().size());
    }

    @Test
    void privilegedProtectShouldNeverLetAResetFault() throws Exception {
        Result r = fork(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                UnprivilegedPaths.class.getName(), "privileged"));
        check(r, UnprivilegedPaths.privilegedPaths().size());
    }

    private static void check(Result r, int paths) {
        assertEquals(0, r.exit(), () -> "exit " + r.exit() + " (134 or hs_err: a crash):\n" + r.output());
        assertTrue(r.output().contains("paths=" + paths + " passed=" + paths + " failed=0"), r.output());
        assertTrue(!r.output().contains("WARNING: A restricted method"), "no native-access warning:\n" + r.output());
    }

    private static String modulePath() throws Exception {
        return location(FixedRange.class) + java.io.File.pathSeparator + location(OsMemory.class);
    }

    private static String testClasses() throws Exception {
        return location(UnprivilegedPaths.class);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    record Result(int exit, String output) {
    }

    private static Result fork(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + Files.createTempDirectory("pagewise") + "/hs_err_%p.log", "-Xmx256m"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("forked JVM did not finish: " + command + "\n" + output);
        }
        return new Result(p.exitValue(), output);
    }
}
