package dev.pagewise.tests;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.Slab;
import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public factory, constructor and builder method of the exported API rejects a {@code null}
 * argument with a {@link NullPointerException} that names the parameter, before it changes anything.
 */
class NullArgumentsTest {

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (IllegalStateException heldOrClosed) {
                // a range an object under test still holds, or one it closed itself
            }
        }
    }

    private <T extends AutoCloseable> T open(Supplier<T> make) {
        T t = make.get();
        opened.add(t);
        return t;
    }

    /** A valid value for each parameter type the API takes. */
    private Object sample(Class<?> type) {
        if (type == long.class) {
            return 4096L;
        }
        if (type == int.class) {
            return 1;
        }
        if (type == byte.class) {
            return (byte) 1;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == double.class) {
            return 0.5;
        }
        if (type == OsBacked.class || type == MmapBacked.class) {
            return open(() -> MmapBacked.map(1 << 20));
        }
        if (type == FixedRange.class) {
            return open(() -> NativeBacked.allocate(1 << 20));
        }
        if (type == Allocator.class) {
            return Slab.over(open(() -> NativeBacked.allocate(1 << 20)), 64);
        }
        if (type == java.lang.foreign.Arena.class || type == dev.pagewise.core.Resettable.class) {
            return dev.pagewise.core.BumpArena.over(open(() -> NativeBacked.allocate(1 << 20)));
        }
        if (type == String.class) {
            return "name";
        }
        if (type == ResetPolicy.class) {
            return ResetPolicy.zeroAll();
        }
        if (type == MapOptions.class) {
            return MapOptions.DEFAULT;
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (type == Budget.class) {
            return Budget.root("b", 1 << 20);
        }
        if (type == LeakTracking.Level.class) {
            return LeakTracking.Level.PARANOID;
        }
        if (type == LeakTracking.class) {
            return LeakTracking.paranoid();
        }
        if (type == dev.pagewise.core.AllocationListener.class) {
            return dev.pagewise.core.AllocationListener.NOOP;
        }
        if (type == dev.pagewise.core.AllocationListener[].class) {
            return new dev.pagewise.core.AllocationListener[] {dev.pagewise.core.AllocationListener.NOOP};
        }
        if (type == Protection.class) {
            return Protection.READ_WRITE;
        }
        if (type == byte[].class) {
            return new byte[16];
        }
        if (type == java.security.SecureRandom.class) {
            return new java.security.SecureRandom();
        }
        if (type == dev.pagewise.os.linux.NumaPolicy.class) {
            return dev.pagewise.os.linux.NumaPolicy.DEFAULT;
        }
        if (type == dev.pagewise.core.PurgePolicy.class) {
            return dev.pagewise.core.PurgePolicy.never();
        }
        if (type == java.util.function.LongSupplier.class) {
            return (java.util.function.LongSupplier) System::nanoTime;
        }
        if (type == Runnable.class) {
            return (Runnable) () -> { };
        }
        if (type == dev.pagewise.core.Faulty.Rule.class) {
            return (dev.pagewise.core.Faulty.Rule) (n, s, a) -> false;
        }
        return null;
    }

    private static final List<Class<?>> TYPES = List.of(
            dev.pagewise.core.BumpArena.class, dev.pagewise.core.BumpArena.Builder.class,
            dev.pagewise.core.SharedBumpArena.class, dev.pagewise.core.SharedBumpArena.Builder.class,
            dev.pagewise.core.StackArena.class, Slab.class, dev.pagewise.core.SizeClassed.class,
            dev.pagewise.core.SizeClassed.Builder.class, NativeBacked.class, dev.pagewise.core.GuardPage.class,
            dev.pagewise.core.Lifetime.class, Budget.class, dev.pagewise.core.Statistics.class,
            dev.pagewise.core.Limit.class, LeakTracking.class, dev.pagewise.core.PoisonOnFree.class,
            dev.pagewise.core.HugePageAligned.class, dev.pagewise.os.linux.NumaLocal.class,
            dev.pagewise.core.Quarantine.class, dev.pagewise.core.Canary.class, dev.pagewise.core.Faulty.class, dev.pagewise.core.Observed.class,
            dev.pagewise.core.HardenedSlab.class, dev.pagewise.core.ZeroizeOnFree.class, dev.pagewise.core.CacheJitter.class,
            dev.pagewise.core.AllocationListener.class,
            ResetPolicy.class, MmapBacked.class, dev.pagewise.os.linux.Locked.class, dev.pagewise.os.OsMemory.class,
            ArenaPool.class, ArenaPool.Builder.class,
            dev.pagewise.core.ExtendableSlab.class, dev.pagewise.core.ExtendableSlab.Builder.class,
            dev.pagewise.core.GenerationalSlab.class, dev.pagewise.core.GenerationalSlab.Builder.class,
            dev.pagewise.core.PurgePolicy.class);

    @Test
    void everyPublicEntryPointShouldRejectNullNamingTheParameter() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Class<?> type : TYPES) {
            List<Executable> entries = new ArrayList<>();
            for (Method m : type.getDeclaredMethods()) {
                boolean builder = type.getSimpleName().equals("Builder");
                if (Modifier.isPublic(m.getModifiers()) && (Modifier.isStatic(m.getModifiers()) || builder)) {
                    entries.add(m);
                }
            }
            for (Constructor<?> c : type.getConstructors()) {
                entries.add(c);
            }
            for (Executable e : entries) {
                Parameter[] params = e.getParameters();
                for (int i = 0; i < params.length; i++) {
                    if (params[i].getType().isPrimitive()) {
                        continue;
                    }
                    Object[] args = new Object[params.length];
                    boolean known = true;
                    for (int j = 0; j < params.length; j++) {
                        if (j != i) {
                            args[j] = sample(params[j].getType());
                            known &= args[j] != null;
                        }
                    }
                    if (!known) {
                        failures.add(e + ": no sample for a parameter; add one to the test");
                        continue;
                    }
                    checked++;
                    String failure = callWithNull(type, e, args, params[i].getName());
                    if (failure != null) {
                        failures.add(failure);
                    }
                }
            }
        }
        assertTrue(checked >= 40, "checked " + checked);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private String callWithNull(Class<?> type, Executable e, Object[] args, String name) throws Exception {
        try {
            if (e instanceof Constructor<?> c) {
                c.newInstance(args);
            } else {
                Method m = (Method) e;
                Object target = Modifier.isStatic(m.getModifiers()) ? null : builderOf(type);
                m.invoke(target, args);
            }
            return e + ": accepted null for " + name;
        } catch (InvocationTargetException thrown) {
            Throwable t = thrown.getCause();
            if (t instanceof NullPointerException && t.getMessage() != null && t.getMessage().equals(name)) {
                return null;
            }
            return e + ": null " + name + " gave " + t;
        }
    }

    private Object builderOf(Class<?> builder) {
        return switch (builder.getEnclosingClass().getSimpleName()) {
            case "BumpArena" -> dev.pagewise.core.BumpArena.builder(open(() -> NativeBacked.allocate(4096)));
            case "SharedBumpArena" -> dev.pagewise.core.SharedBumpArena.builder(open(() -> NativeBacked.allocate(4096)));
            case "SizeClassed" -> dev.pagewise.core.SizeClassed.builder(open(() -> NativeBacked.allocate(1 << 20)));
            case "ArenaPool" -> ArenaPool.builder(1, 4096);
            case "ExtendableSlab" -> dev.pagewise.core.ExtendableSlab.builder(open(() -> NativeBacked.allocate(1 << 20)), 64);
            case "GenerationalSlab" -> dev.pagewise.core.GenerationalSlab.builder(open(() -> NativeBacked.allocate(1 << 20)), 64);
            default -> throw new AssertionError(builder);
        };
    }
}
