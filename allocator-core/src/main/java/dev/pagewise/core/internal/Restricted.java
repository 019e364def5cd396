package dev.pagewise.core.internal;

import dev.pagewise.core.FixedRange;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.ResetPolicy;

import java.lang.StackWalker.Option;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Hidden frames shown: a lambda or method reference that calls a restricted method is a frame of its author's module. */
    private static final StackWalker WALKER = StackWalker.getInstance(
            java.util.Set.of(Option.RETAIN_CLASS_REFERENCE, Option.SHOW_HIDDEN_FRAMES));
    private static final Module CORE = Restricted.class.getModule();
    /**
     * How Pagewise reads the segment of each range class of its own, by exact class: registered by the class
     * itself, in its static initializer, so before any instance of it exists. A class that is not here (anyone
     * else's, or a subclass) is read through its {@code segment()}, as anyone reads it.
     */
    private static final Map<Class<?>, OwnSegment> OWN = new ConcurrentHashMap<>();

    private Restricted() {
    }

    /**
     * Checks the caller of the restricted method that calls this one.
     *
     * @param method the restricted method, as it appears in the message: {@code "OsBacked.protect(long, long, Protection)"}
     * @throws IllegalCallerException if that caller's module has no native access
     */
    public static void check(String method) {
        check(method, 3);
    }

    /**
     * Checks a reset policy given to a builder: one of {@link ResetPolicy}'s own is always allowed; any other
     * only to a caller with native access, since a policy that does not zero shows one tenant's bytes to the
     * next, and a policy is handed the range it resets.
     *
     * @param policy the policy given to the builder
     * @param method the builder method, as it appears in the message
     * @return {@code policy}
     * @throws IllegalCallerException if the policy is not a built-in one and the builder's caller has no native access
     */
    public static ResetPolicy policy(ResetPolicy policy, String method) {
        if (!Bridge.isBuiltIn(policy)) {
            check(method + " with a policy of your own", 3);
        }
        return policy;
    }

    /**
     * Checks a range given to Pagewise: one of Pagewise's own is always allowed; a range implemented
     * elsewhere only when the first caller outside Pagewise has native access. Pagewise gives a range's memory
     * scopes of its own ({@code reinterpret}), so a range of one's own that hands over memory it later frees
     * would be an unrestricted {@code reinterpret}. The caller is found past Pagewise's frames, since the
     * public entry points delegate to one another.
     *
     * @param <R>    the range's type
     * @param range  the range given to Pagewise, or {@code null} (left for the caller to reject)
     * @param method the entry point, as it appears in the message
     * @return {@code range}
     * @throws IllegalCallerException if the range is not Pagewise's and that caller has no native access
     */
    public static <R> R range(R range, String method) {
        if (range != null && !isPagewise(range.getClass())) {
            Class<?> caller = WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                    .filter(c -> !isPlumbing(c) && !isPagewise(c)).findFirst().orElse(null));
            if (caller == null || !caller.getModule().isNativeAccessEnabled()) {
                throw denied(method + " with a range implemented outside Pagewise", caller);
            }
        }
        return range;
    }

    /**
     * {@return whether {@code c} is Pagewise's own} By module on the module path; on the class path, where
     * every class shares the unnamed module, by package.
     */
    private static boolean isPagewise(Class<?> c) {
        if (CORE.isNamed()) {
            return isPagewise(c.getModule());
        }
        String name = c.getName();
        return c.getModule() == CORE && (name.startsWith("dev.pagewise.core.") || name.startsWith("dev.pagewise.os."));
    }

    private static boolean isPagewise(Module module) {
        return module == CORE || module.isNamed() && module.getLayer() == CORE.getLayer()
                && module.getName().equals("dev.pagewise.os");
    }

    /**
     * The body of every range's restricted {@code segment()}: checks its caller, then that the range is
     * alive.
     *
     * @param lifetime the range's lifetime
     * @param segment  the range's segment
     * @return {@code segment}
     * @throws IllegalCallerException if the caller of {@code segment()} has no native access
     * @throws IllegalStateException if the range is closed
     */
    public static MemorySegment segment(Lifetime lifetime, MemorySegment segment) {
        check("FixedRange.segment()", 3);
        lifetime.checkAlive();
        return segment;
    }

    /** How Pagewise reads the segment of a range of its own; {@link #segmentOf} has checked it is alive. */
    @FunctionalInterface
    public interface OwnSegment {
        /** {@return the segment of {@code range}} */
        MemorySegment of(FixedRange range);
    }

    /**
     * Registers how Pagewise reads the segment of {@code type}, one of its own range classes, without the
     * caller check of its {@code segment()}; called from the class's static initializer.
     *
     * @throws IllegalArgumentException if {@code type} is not Pagewise's
     */
    public static <R extends FixedRange> void ownSegment(Class<R> type, OwnSegment access) {
        if (!isPagewise(type)) {
            throw new IllegalArgumentException("type must be a range class of Pagewise's own: " + type.getName());
        }
        OWN.put(type, java.util.Objects.requireNonNull(access, "access"));
    }

    /**
     * {@return the segment of {@code range}, for Pagewise's own use} A range of Pagewise's own is read without
     * walking the stack to find the caller of its {@code segment()} (which would be Pagewise, always allowed):
     * a walk costs an arena built over a pool's slot, once per lease, several times the rest of its
     * construction, and so did binding a scoped value to tell Pagewise's calls from others' (a quarter of
     * building, using once and closing a {@code BumpArena}: {@code AllocateBench.bumpArenaBuildAllocateClose},
     * CHANGELOG). A range implemented elsewhere answers {@link FixedRange#segment()} as it does for anyone.
     *
     * @throws IllegalStateException if the range is closed
     */
    public static MemorySegment segmentOf(FixedRange range) {
        OwnSegment own = OWN.get(range.getClass());
        if (own == null) {
            return range.segment();
        }
        range.lifetime().checkAlive();
        return own.of(range);
    }

    /**
     * Checks the caller: {@code depth} frames up (0 is this method, 1 the public entry above, 2 the restricted
     * method, 3 its caller), past reflection and method-handle frames.
     */
    private static void check(String method, int depth) {
        Class<?> caller = WALKER.walk(frames -> frames.skip(depth).map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> !isPlumbing(c)).findFirst().orElse(null));
        if (caller == null || !isTrusted(caller.getModule())) {
            throw denied(method, caller);
        }
    }

    private static IllegalCallerException denied(String method, Class<?> caller) {
        if (caller == null) {
            return new IllegalCallerException(method + " is a restricted method and has no Java caller to check");
        }
        Module module = caller.getModule();
        String name = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        return new IllegalCallerException(method + " is a restricted method: it can expose memory whose access"
                + " ends the JVM. " + caller.getName() + " is in " + (module.isNamed() ? "module " + name
                : "the unnamed module") + ", which has no native access; run with --enable-native-access=" + name);
    }

    /**
     * Reflection and method-handle frames of {@code java.base} pass a call on; the caller is who invoked them.
     * Pagewise's own frames are never skipped, so a call that Pagewise makes on behalf of a lambda or method
     * reference is judged by the lambda's frame, which belongs to its author's module.
     */
    private static boolean isPlumbing(Class<?> c) {
        if (c.getModule() != Object.class.getModule()) {
            return false;
        }
        String name = c.getName();
        return name.startsWith("java.lang.invoke.") || name.startsWith("jdk.internal.reflect.")
                || name.startsWith("java.lang.reflect.");
    }

    private static boolean isTrusted(Module module) {
        return isPagewise(module) || module.isNativeAccessEnabled();
    }
}
