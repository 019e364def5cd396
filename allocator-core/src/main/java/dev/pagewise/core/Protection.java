package dev.pagewise.core;

/** Page protection: every combination of read, write and execute. */
public enum Protection {
    /** No access: any read, write or execution faults. */
    NONE(false, false, false),
    /** Read only. */
    READ(true, false, false),
    /** Write only, as the operating system allows it (most also allow reads then). */
    WRITE(false, true, false),
    /** Read and write: the protection of committed memory, the only one under which resets may write. */
    READ_WRITE(true, true, false),
    /** Execute only. */
    EXECUTE(false, false, true),
    /** Read and execute. */
    READ_EXECUTE(true, false, true),
    /** Write and execute. */
    WRITE_EXECUTE(false, true, true),
    /** Read, write and execute. */
    READ_WRITE_EXECUTE(true, true, true);

    private final boolean read;
    private final boolean write;
    private final boolean execute;

    Protection(boolean read, boolean write, boolean execute) {
        this.read = read;
        this.write = write;
        this.execute = execute;
    }

    /**
     * {@return the protection that allows exactly the given accesses}
     *
     * @param read    whether reads are allowed
     * @param write   whether writes are allowed
     * @param execute whether execution is allowed
     */
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
