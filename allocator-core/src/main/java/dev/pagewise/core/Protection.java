package dev.pagewise.core;

/** Page protection: every combination of read, write and execute. */
public enum Protection {
    NONE(false, false, false),
    READ(true, false, false),
    WRITE(false, true, false),
    READ_WRITE(true, true, false),
    EXECUTE(false, false, true),
    READ_EXECUTE(true, false, true),
    WRITE_EXECUTE(false, true, true),
    READ_WRITE_EXECUTE(true, true, true);

    private final boolean read;
    private final boolean write;
    private final boolean execute;

    Protection(boolean read, boolean write, boolean execute) {
        this.read = read;
        this.write = write;
        this.execute = execute;
    }

    /** {@return the protection that allows exactly the given accesses} */
    public static Protection of(boolean read, boolean write, boolean execute) {
        return values()[(read ? 1 : 0) | (write ? 2 : 0) | (execute ? 4 : 0)];
    }

    /** {@return whether reads are allowed} */
    public boolean canRead() {
        return read;
    }

    /** {@return whether writes are allowed} */
    public boolean canWrite() {
        return write;
    }

    /** {@return whether execution is allowed} */
    public boolean canExecute() {
        return execute;
    }
}
