package dev.pagewise.os.linux;

import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.internal.Bridge;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NUMA placement of a range's pages on Linux: {@code mbind}, {@code set_mempolicy} and {@code get_mempolicy},
 * called through {@code syscall} (glibc wraps none of them; libnuma is not needed).
 *
 * <p>A policy decides where pages come from when they are <em>faulted in</em>. {@link #bind} on pages that are
 * not yet touched places them when first written ("first touch" then follows the policy rather than the
 * touching thread's node); pages already present stay where they are unless {@code movePages} asks the kernel
 * to migrate them ({@code MPOL_MF_MOVE}: only pages this process alone maps, and it costs a copy per page).
 * Pages released with {@link OsBacked#releasePages} and written again are placed by the policy anew. On a
 * single-node machine every policy naming node 0 places every page on node 0.
 *
 * <p>Nothing here can fault: the kernel checks every address and node. A node that is not online (or not
 * allowed by the process's cpuset) fails with {@code EINVAL} in an {@link OsException} that names it.
 * Thread-safe; the thread policy is per thread.
 */
public final class NumaLocal {

    private static final long SYS_MBIND;
    private static final long SYS_SET_MEMPOLICY;
    private static final long SYS_GET_MEMPOLICY;

    static {
        // the x86-64 table, and the generic one (include/uapi/asm-generic/unistd.h) that aarch64 uses
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> {
                SYS_MBIND = 237;
                SYS_SET_MEMPOLICY = 238;
                SYS_GET_MEMPOLICY = 239;
            }
            case "aarch64" -> {
                SYS_MBIND = 235;
                SYS_SET_MEMPOLICY = 237;
                SYS_GET_MEMPOLICY = 236;
            }
            default -> {
                SYS_MBIND = -1;
                SYS_SET_MEMPOLICY = -1;
                SYS_GET_MEMPOLICY = -1;
            }
        }
    }

    private static final int MPOL_MF_MOVE = 1 << 1;
    private static final int MPOL_F_NODE = 1;
    private static final int MPOL_F_ADDR = 1 << 1;
    /** The mode flags ({@code MPOL_F_STATIC_NODES}, ...) share the mode's int; the mode is the low byte. */
    private static final int MODE_MASK = 0xff;
    /** One bit per node the kernel reads or writes: {@code maxnode} counts one more, as the kernel decrements it. */
    private static final long MASK_BYTES = NumaPolicy.MAX_NODES / 8;
    private static final long MAX_NODE_ARG = NumaPolicy.MAX_NODES + 1;

    private NumaLocal() {
    }

    /**
     * Sets the policy of the pages of {@code [offset, offset + length)} of {@code range} ({@code mbind}). Both
     * must be multiples of the range's page size. The range stays open until the call returns: a concurrent
     * {@code close} of it fails.
     *
     * <p>This method is <em>restricted</em>: each bind of a part of a mapping with a policy unlike its neighbours'
     * splits the mapping's VMA, and tens of thousands of them exhaust {@code vm.max_map_count}, after which the
     * JVM's own {@code mmap} fails and ends it. Only a caller with native access may bind.
     *
     * @param range     the range, open; one of Pagewise's own, or the caller needs native access
     * @param offset    the start of the part, from the start of the range
     * @param length    the length of the part, in bytes
     * @param policy    where the pages come from
     * @param movePages also migrate the pages already present to the policy's nodes ({@code MPOL_MF_MOVE})
     * @throws NullPointerException if {@code range} or {@code policy} is {@code null}
     * @throws IllegalArgumentException if the part lies outside the range or is not page-aligned
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the caller's module has no native access
     * @throws OsException if {@code mbind} fails, for example {@code EINVAL} for a node that is not online
     * @throws UnsupportedOperationException on an architecture other than x86-64 and aarch64
     */
    public static void bind(OsBacked range, long offset, long length, NumaPolicy policy, boolean movePages) {
        Restricted.check("NumaLocal.bind(OsBacked, long, long, NumaPolicy, boolean)");
        Restricted.range(Objects.requireNonNull(range, "range"), "NumaLocal.bind");
        Objects.requireNonNull(policy, "policy");
        Checks.checkPageRange(offset, length, range.byteSize(), range.pageSize());
        if (length == 0) {
            range.lifetime().checkAlive();
            return;
        }
        // Two pins, because neither alone covers every range. A shared hold makes a concurrent close of the range
        // fail cleanly, but an allocator over the range has it exclusively, and bind must work under one: then the
        // allocator's hold keeps the range open, and the range's segment, passed to the call as a segment rather
        // than as a number, keeps the mapping itself alive (the linker holds the segment's scope until the call
        // returns), should the allocator and the range both close meanwhile. No lock of the range is taken: the
        // range's close takes none, and a slice or guard of it has a lock of its own.
        Lifetime.Hold hold = pin(range);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment part = Restricted.segmentOf(range).asSlice(offset, length);
            long address = part.address();
            MemorySegment mask = mask(arena, policy);
            Libc.syscall(number(SYS_MBIND), part, length, policy.mode().value(), maskAddress(mask, policy),
                    maxNode(policy), movePages ? MPOL_MF_MOVE : 0,
                    () -> "mbind(0x" + Long.toHexString(address) + ", " + ByteSizes.format(length) + ", " + policy
                            + (movePages ? ", MPOL_MF_MOVE" : "") + ")");
        } finally {
            if (hold != null) {
                hold.close();
            }
        }
    }

    /** {@return a shared hold on {@code range}, or {@code null} if an allocator holds it exclusively} */
    private static Lifetime.Hold pin(OsBacked range) {
        try {
            return Bridge.acquire(range.lifetime());
        } catch (IllegalStateException e) {
            range.lifetime().checkAlive();
            return null;
        }
    }

    /**
     * {@return the policy of the page at {@code offset} of {@code range}} ({@code get_mempolicy} with
     * {@code MPOL_F_ADDR}): what {@link #bind} set over it, or {@link NumaPolicy#DEFAULT}.
     *
     * @param range  the range, open
     * @param offset an offset in the range
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IndexOutOfBoundsException if {@code offset} is outside the range
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no native access
     * @throws OsException if {@code get_mempolicy} fails
     */
    public static NumaPolicy policyAt(OsBacked range, long offset) {
        Restricted.range(Objects.requireNonNull(range, "range"), "NumaLocal.policyAt");
        Objects.checkIndex(offset, range.byteSize());
        long address = address(range, offset);
        return getPolicy(address, MPOL_F_ADDR, () -> "get_mempolicy(0x" + Long.toHexString(address) + ", MPOL_F_ADDR)");
    }

    /**
     * {@return the node that holds the page at {@code offset} of {@code range} now} ({@code get_mempolicy} with
     * {@code MPOL_F_NODE | MPOL_F_ADDR}). The kernel faults an absent page in for reading, which maps the shared
     * zero page: write the page first to learn where its own memory is.
     *
     * @param range  the range, open
     * @param offset an offset in the committed prefix of the range
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IndexOutOfBoundsException if {@code offset} is outside the committed prefix
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no native access
     * @throws OsException if {@code get_mempolicy} fails ({@code EFAULT} on a protected or guard page)
     */
    public static int nodeOf(OsBacked range, long offset) {
        Restricted.range(Objects.requireNonNull(range, "range"), "NumaLocal.nodeOf");
        Objects.checkIndex(offset, range.committed());
        long address = address(range, offset);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment node = arena.allocate(JAVA_INT);
            Libc.syscall(number(SYS_GET_MEMPOLICY), node.address(), 0, 0, address, MPOL_F_NODE | MPOL_F_ADDR, 0,
                    () -> "get_mempolicy(0x" + Long.toHexString(address) + ", MPOL_F_NODE | MPOL_F_ADDR)");
            return node.get(JAVA_INT, 0);
        }
    }

    /**
     * Sets the calling thread's policy ({@code set_mempolicy}): where pages that this thread faults in come from,
     * outside ranges with a policy of their own. It stays with the thread; a pooled thread keeps it for its next
     * task.
     *
     * <p>This method is <em>restricted</em>: the policy also steers the memory the JVM itself faults in on this
     * thread (its heap, stacks, code cache), which a policy naming the wrong nodes can starve. Only a caller with
     * native access may set it. A virtual thread cannot: the policy would be its carrier's, and stay with tasks
     * that never asked for it.
     *
     * @param policy where the thread's pages come from; {@link NumaPolicy#DEFAULT} to undo
     * @throws NullPointerException if {@code policy} is {@code null}
     * @throws IllegalCallerException if the caller's module has no native access
     * @throws WrongThreadException if the calling thread is a virtual thread
     * @throws OsException if {@code set_mempolicy} fails, for example {@code EINVAL} for a node that is not online
     * @throws UnsupportedOperationException on an architecture other than x86-64 and aarch64
     */
    public static void setThreadPolicy(NumaPolicy policy) {
        Restricted.check("NumaLocal.setThreadPolicy(NumaPolicy)");
        Objects.requireNonNull(policy, "policy");
        if (Thread.currentThread().isVirtual()) {
            throw new WrongThreadException("set_mempolicy(" + policy + ") from virtual thread " + Thread.currentThread()
                    + " would set the policy of its carrier thread; call it from a platform thread");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = mask(arena, policy);
            Libc.syscall(number(SYS_SET_MEMPOLICY), policy.mode().value(), maskAddress(mask, policy), maxNode(policy),
                    0, 0, 0, () -> "set_mempolicy(" + policy + ")");
        }
    }

    /**
     * {@return the calling thread's policy} ({@code get_mempolicy} with no flags)
     *
     * @throws OsException if {@code get_mempolicy} fails
     */
    public static NumaPolicy threadPolicy() {
        return getPolicy(0, 0, () -> "get_mempolicy()");
    }

    private static NumaPolicy getPolicy(long address, int flags, java.util.function.Supplier<String> call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mode = arena.allocate(JAVA_INT);
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            Libc.syscall(number(SYS_GET_MEMPOLICY), mode.address(), mask.address(), MAX_NODE_ARG, address, flags, 0, call);
            NumaPolicy.Mode m = NumaPolicy.Mode.of(mode.get(JAVA_INT, 0) & MODE_MASK);
            Set<Integer> nodes = new TreeSet<>();
            if (m != NumaPolicy.Mode.DEFAULT && m != NumaPolicy.Mode.LOCAL) {
                for (int word = 0; word < MASK_BYTES / 8; word++) {
                    long bits = mask.getAtIndex(JAVA_LONG, word);
                    for (; bits != 0; bits &= bits - 1) {
                        nodes.add(word * 64 + Long.numberOfTrailingZeros(bits));
                    }
                }
            }
            return new NumaPolicy(m, nodes);
        }
    }

    private static long address(OsBacked range, long offset) {
        range.lifetime().checkAlive();
        return Restricted.segmentOf(range).address() + offset;
    }

    private static MemorySegment mask(Arena arena, NumaPolicy policy) {
        MemorySegment mask = arena.allocate(MASK_BYTES, 8);
        for (int node : policy.nodes()) {
            long word = mask.getAtIndex(JAVA_LONG, node / 64);
            mask.setAtIndex(JAVA_LONG, node / 64, word | 1L << (node % 64));
        }
        return mask;
    }

    /** The kernel wants no mask at all for modes without nodes. */
    private static long maskAddress(MemorySegment mask, NumaPolicy policy) {
        return policy.nodes().isEmpty() ? 0 : mask.address();
    }

    private static long maxNode(NumaPolicy policy) {
        return policy.nodes().isEmpty() ? 0 : MAX_NODE_ARG;
    }

    private static long number(long syscall) {
        if (syscall < 0) {
            throw new UnsupportedOperationException("NUMA policy syscall numbers unknown on " + System.getProperty("os.arch"));
        }
        return syscall;
    }
}
