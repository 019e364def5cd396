package dev.pagewise.core.internal;

import java.lang.reflect.Modifier;

/** How exception messages name an object's type. */
public final class TypeNames {

    private TypeNames() {
    }

    /**
     * {@return the simple name of the first public class of {@code object}, its own or a superclass's}: a private
     * implementation class (a listened {@code BumpArena}) is named as the public class users know
     *
     * @param object the object to name
     */
    public static String of(Object object) {
        Class<?> type = object.getClass();
        while (!Modifier.isPublic(type.getModifiers()) && type.getSuperclass() != null) {
            type = type.getSuperclass();
        }
        return type.getSimpleName();
    }
}
