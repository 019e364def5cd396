package dev.pagewise.os;

/**
 * A system call failed. The message names the call, its arguments and the OS's word for the failure:
 * {@code mmap(1.0 TiB, lazyCommit=false) failed: ENOMEM (12)}.
 */
public final class OsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The call and its arguments. */
    private final String call;
    /** The error number. */
    private final int errno;
    /** The symbolic name of the error number. */
    private final String errnoName;

    /**
     * Creates the exception; its message is {@code call + " failed: " + errnoName + " (" + errno + ")"}.
     *
     * @param call      the call and its arguments, as it appears in the message
     * @param errno     the error number (errno on Linux, GetLastError on Windows)
     * @param errnoName the symbolic name of {@code errno}
     */
    public OsException(String call, int errno, String errnoName) {
        super(call + " failed: " + errnoName + " (" + errno + ")");
        this.call = call;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** {@return the call and its arguments} */
    public String call() {
        return call;
    }

    /** {@return the error number} */
    public int errno() {
        return errno;
    }

    /** {@return the symbolic name of the error number, e.g. {@code ENOMEM}} */
    public String errnoName() {
        return errnoName;
    }
}
