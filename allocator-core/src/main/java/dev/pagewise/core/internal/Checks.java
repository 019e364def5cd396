package dev.pagewise.core.internal;

/** Argument checks shared by every allocator and range; each throws with the numbers that matter. */
public final class Checks {

    private Checks() {
    }

    /**
     * {@return {@code value}}
     *
     * @param value the value to check
     * @param name  the value's name, for the message
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static long requireNonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }

    /**
     * {@return {@code name}, checked to be present and not blank, as every builder's {@code name(String)} wants it}
     *
     * @param name the name to check
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static String requireName(String name) {
        if (java.util.Objects.requireNonNull(name, "name").isBlank()) {
            throw new IllegalArgumentException("name is blank: \"" + name + "\"");
        }
        return name;
    }

    /**
     * {@return {@code value}}
     *
     * @param value the value to check
     * @param name  the value's name, for the message
     * @throws IllegalArgumentException if {@code value} is not a power of two (zero and negatives are not)
     */
    public static long requirePowerOfTwo(long value, String name) {
        if (value <= 0 || (value & (value - 1)) != 0) {
            throw new IllegalArgumentException(name + " must be a power of two: " + value);
        }
        return value;
    }

    /**
     * Checks an allocation request the way {@link java.lang.foreign.Arena} does.
     *
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     */
    public static void checkRequest(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize must not be negative: " + byteSize);
        }
        if (byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0) {
            throw new IllegalArgumentException("byteAlignment must be a power of two: " + byteAlignment);
        }
    }

    /**
     * Checks that {@code [offset, offset + length)} lies inside {@code [0, size)}, without overflow.
     *
     * @param offset the start of the part
     * @param length the length of the part
     * @param size   the size of the whole
     * @throws IllegalArgumentException naming offset, length and size otherwise
     */
    public static void checkRange(long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IllegalArgumentException("range outside region: offset=" + offset + " length=" + length + " size=" + size);
        }
    }

    /**
     * Like {@link #checkRange} and also requires page alignment of offset and length.
     *
     * @param offset   the start of the part
     * @param length   the length of the part
     * @param size     the size of the whole
     * @param pageSize the page size, a power of two
     * @throws IllegalArgumentException if the part lies outside the whole or is not page-aligned
     */
    public static void checkPageRange(long offset, long length, long size, long pageSize) {
        checkRange(offset, length, size);
        if ((offset & (pageSize - 1)) != 0 || (length & (pageSize - 1)) != 0) {
            throw new IllegalArgumentException("range not page-aligned: offset=" + offset + " length=" + length
                    + " pageSize=" + pageSize);
        }
    }

    /**
     * {@return {@code value} rounded up to a multiple of {@code alignment} (a power of two)}
     *
     * @param value     the value to round
     * @param alignment the alignment, a power of two
     * @throws ArithmeticException if the result overflows a {@code long}
     */
    public static long alignUp(long value, long alignment) {
        long mask = alignment - 1;
        return Math.addExact(value, mask) & ~mask;
    }

    /**
     * {@return {@code value} rounded down to a multiple of {@code alignment} (a power of two)}
     *
     * @param value     the value to round
     * @param alignment the alignment, a power of two
     */
    public static long alignDown(long value, long alignment) {
        return value & ~(alignment - 1);
    }
}
