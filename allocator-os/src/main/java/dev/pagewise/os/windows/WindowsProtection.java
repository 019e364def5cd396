package dev.pagewise.os.windows;

import dev.pagewise.core.Protection;

/**
 * The {@code PAGE_*} constant for each {@link Protection}. Windows has no write-only protection:
 * {@code WRITE} maps to {@code PAGE_READWRITE} and {@code WRITE_EXECUTE} to {@code PAGE_EXECUTE_READWRITE},
 * as x86 and arm64 page tables make write imply read on Linux too.
 */
final class WindowsProtection {

    public static final int PAGE_NOACCESS = 0x01;
    public static final int PAGE_READONLY = 0x02;
    public static final int PAGE_READWRITE = 0x04;
    public static final int PAGE_EXECUTE = 0x10;
    public static final int PAGE_EXECUTE_READ = 0x20;
    public static final int PAGE_EXECUTE_READWRITE = 0x40;

    private WindowsProtection() {
    }

    /** {@return the {@code PAGE_*} flag for {@code protection}} */
    public static int of(Protection protection) {
        return switch (protection) {
            case NONE -> PAGE_NOACCESS;
            case READ -> PAGE_READONLY;
            case WRITE, READ_WRITE -> PAGE_READWRITE;
            case EXECUTE -> PAGE_EXECUTE;
            case READ_EXECUTE -> PAGE_EXECUTE_READ;
            case WRITE_EXECUTE, READ_WRITE_EXECUTE -> PAGE_EXECUTE_READWRITE;
        };
    }
}
