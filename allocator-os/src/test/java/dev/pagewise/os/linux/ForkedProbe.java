package dev.pagewise.os.linux;

import dev.pagewise.os.OsException;
import dev.pagewise.core.GuardPage;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Run in a forked JVM by the tests of what would end the test JVM: {@code guard-inside}, {@code guard-past}, {@code guard-past-fallback}, {@code lock}. */
public final class ForkedProbe {

    private ForkedProbe() {
    }

    public static void main(String[] args) throws Throwable {
        switch (args[0]) {
            case "guard-inside", "guard-past", "guard-past-fallback" -> {
                MethodHandle memset = Linker.nativeLinker().downcallHandle(
                        Linker.nativeLinker().defaultLookup().find("memset").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
                MmapBacked region = MmapBacked.map(8 * 4096);
                region.guardAdvice(!args[0].equals("guard-past-fallback"));
                GuardPage guarded = GuardPage.around(region);
                MemorySegment s = guarded.segment();
                long length = args[0].startsWith("guard-past") ? s.byteSize() + 1 : s.byteSize();
                System.out.println("native write of " + length + " bytes into " + s.byteSize());
                System.out.flush();
                MemorySegment unused = (MemorySegment) memset.invokeExact(s, 1, length);
                System.out.println("survived");
            }
            case "lock" -> {
                try (Locked locked = Locked.map(1 << 20, false)) {
                    System.out.println("locked " + locked.byteSize());
                } catch (OsException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
