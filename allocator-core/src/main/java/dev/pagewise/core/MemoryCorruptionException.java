package dev.pagewise.core;

/**
 * A debugging wrapper found memory written where nothing may write: a canary overrun, or a write to a
 * block after it was freed. The message names the block's address and, when known, where it was allocated.
 */
public final class MemoryCorruptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The address of the corrupted block. */
    private final long address;

    /**
     * Creates the exception.
     *
     * @param message what was found, with the numbers that matter
     * @param address the address of the corrupted block
     */
    public MemoryCorruptionException(String message, long address) {
        super(message);
        this.address = address;
    }

    /** {@return the address of the corrupted block} */
    public long address() {
        return address;
    }
}
