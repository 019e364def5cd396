package dev.pagewise.core.internal;

import java.lang.reflect.Modifier;

/** How exception messages name an object's type. */
public final class TypeNames {

    private TypeNames() {
    }

    /**
     * {@return the simple name of {@code object}'s class}, or for a private class of Pagewise's own (a listened
     * {@code BumpArena}) the name of the first public class it extends, the one users know
     *
     * @param object the object to name
     */
    public static String of(Object object) {
        Class<?> type = object.getClass();
        while (!Modifier.isPublic(type.getModifiers()) && type.getModule() == TypeNames.class.getModule()
                && type.getSuperclass() != null) {
            type = type.getSuperclass();
        }
        return type.getSimpleName();
    }
}
