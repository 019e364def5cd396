package dev.pagewise.os;

/** Every slot of an {@link ArenaPool} stayed leased for as long as a lease was willing to wait. */
public final class PoolExhaustedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the pool, its slots and how long the lease waited
     */
    public PoolExhaustedException(String message) {
        super(message);
    }
}
