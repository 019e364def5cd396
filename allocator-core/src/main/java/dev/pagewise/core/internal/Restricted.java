package dev.pagewise.core.internal;

import dev.pagewise.core.Lifetime;

import java.lang.StackWalker.Option;
import java.lang.foreign.MemorySegment;

/**
 * The check behind Pagewise's restricted methods, modelled on the JDK's: a restricted method may be
 * called only from a module with native access ({@link Module#isNativeAccessEnabled()}), or from
 * Pagewise's own modules, which use it only in ways that cannot fault. Any other caller gets
 * {@link IllegalCallerException}; nothing else happens.
 *
 * <p>On the class path, Pagewise and its callers share the unnamed module, and with it whatever native
 * access {@code --enable-native-access=ALL-UNNAMED} (or the JDK's own warning) gave that module.
 */
public final class Restricted {

    private static final StackWalker WALKER = StackWalker.getInstance(Option.RETAIN_CLASS_REFERENCE);
    private static final Module CORE = Restricted.class.getModule();

    private Restricted() {
    }

    /**
     * Checks the caller of the restricted method that calls this one.
     *
     * @param method the restricted method, as it appears in the message: {@code "MmapBacked.segment()"}
     * @throws IllegalCallerException if that caller's module has no native access
     */
    public static void check(String method) {
        check(method, 3);
    }

    /**
     * The body of every range's restricted {@code segment()}: checks its caller, then that the range is
     * alive; {@return {@code segment}}
     *
     * @throws IllegalCallerException if the caller of {@code segment()} has no native access
     * @throws IllegalStateException if the range is closed
     */
    public static MemorySegment segment(Lifetime lifetime, MemorySegment segment) {
        check("FixedRange.segment()", 3);
        lifetime.checkAlive();
        return segment;
    }

    /**
     * Checks the class {@code depth} frames up: 0 is this method, 1 the public entry above, 2 the restricted
     * method, 3 its caller.
     */
    private static void check(String method, int depth) {
        Class<?> caller = WALKER.walk(frames -> frames.skip(depth).findFirst().map(StackWalker.StackFrame::getDeclaringClass)
                .orElse(null));
        if (caller == null || isTrusted(caller.getModule())) {
            return;
        }
        Module module = caller.getModule();
        String name = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        throw new IllegalCallerException(method + " is a restricted method: it can expose memory whose access"
                + " ends the JVM. " + caller.getName() + " is in " + (module.isNamed() ? "module " + name
                : "the unnamed module") + ", which has no native access; run with --enable-native-access=" + name);
    }

    private static boolean isTrusted(Module module) {
        return module == CORE || module.isNativeAccessEnabled()
                || module.isNamed() && module.getLayer() == CORE.getLayer() && module.getName().equals("dev.pagewise.os");
    }
}
