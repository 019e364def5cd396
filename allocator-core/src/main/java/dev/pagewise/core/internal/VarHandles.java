package dev.pagewise.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Finds the field handles Pagewise's lock-free classes use, as the JDK's own {@code MhUtil} does. */
public final class VarHandles {

    private VarHandles() {
    }

    /**
     * {@return a handle on the field {@code name} of {@code holder}}, found with the caller's {@code lookup}
     * (pass {@code MethodHandles.lookup()}, so that private fields are found)
     *
     * @throws InternalError if there is no such field: a mistake in Pagewise, never the caller's
     */
    public static VarHandle field(MethodHandles.Lookup lookup, Class<?> holder, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(holder, name, type);
        } catch (ReflectiveOperationException e) {
            throw new InternalError(e);
        }
    }
}
