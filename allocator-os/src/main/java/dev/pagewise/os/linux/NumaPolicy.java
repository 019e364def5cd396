package dev.pagewise.os.linux;

import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Linux NUMA memory policy: where the kernel takes the physical pages of a range ({@link NumaLocal#bind})
 * or of a thread's allocations ({@link NumaLocal#setThreadPolicy}) from. See {@code set_mempolicy(2)}.
 *
 * @param mode  how the nodes are used
 * @param nodes the nodes, numbered as in {@code /sys/devices/system/node}; an unmodifiable sorted set
 */
public record NumaPolicy(Mode mode, Set<Integer> nodes) {

    /** The nodes a policy may name: 0 to 1023, the most a Linux build supports ({@code CONFIG_NODES_SHIFT=10}). */
    public static final int MAX_NODES = 1024;

    /** The system's default: the thread's policy for a range, local allocation for a thread. */
    public static final NumaPolicy DEFAULT = new NumaPolicy(Mode.DEFAULT, Set.of());

    /** The policy modes of {@code linux/mempolicy.h}. */
    public enum Mode {
        /** {@code MPOL_DEFAULT}: fall back to the next policy out (a range's to its thread's, a thread's to local). */
        DEFAULT(0),
        /** {@code MPOL_PREFERRED}: the node first, others when it is full; with no node, the local node. */
        PREFERRED(1),
        /** {@code MPOL_BIND}: only these nodes; an allocation fails (and the OOM killer runs) when they are full. */
        BIND(2),
        /** {@code MPOL_INTERLEAVE}: page by page round-robin over the nodes. */
        INTERLEAVE(3),
        /** {@code MPOL_LOCAL}: the node of the CPU that faults the page in. */
        LOCAL(4),
        /** {@code MPOL_PREFERRED_MANY} (Linux 5.15+): these nodes first, others when they are full. */
        PREFERRED_MANY(5),
        /** {@code MPOL_WEIGHTED_INTERLEAVE} (Linux 6.9+): interleave by the weights in sysfs. */
        WEIGHTED_INTERLEAVE(6);

        private final int value;

        Mode(int value) {
            this.value = value;
        }

        /** {@return the kernel's number for this mode} */
        public int value() {
            return value;
        }

        static Mode of(int value) {
            for (Mode m : values()) {
                if (m.value == value) {
                    return m;
                }
            }
            throw new IllegalStateException("unknown memory policy mode from the kernel: " + value);
        }
    }

    /**
     * Checks the nodes against the mode and keeps an unmodifiable sorted copy.
     *
     * @param mode  how the nodes are used
     * @param nodes the nodes
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if a node is negative or at least {@link #MAX_NODES}, or the number of
     *         nodes does not suit the mode (none for {@code DEFAULT} and {@code LOCAL}, at most one for
     *         {@code PREFERRED}, at least one for the others)
     */
    public NumaPolicy {
        Objects.requireNonNull(mode, "mode");
        SortedSet<Integer> copy = new TreeSet<>();
        for (Integer node : Objects.requireNonNull(nodes, "nodes")) {
            Objects.requireNonNull(node, "nodes holds null");
            if (node < 0 || node >= MAX_NODES) {
                throw new IllegalArgumentException("node must be in [0, " + MAX_NODES + "): " + node);
            }
            copy.add(node);
        }
        boolean fits = switch (mode) {
            case DEFAULT, LOCAL -> copy.isEmpty();
            case PREFERRED -> copy.size() <= 1;
            case BIND, INTERLEAVE, PREFERRED_MANY, WEIGHTED_INTERLEAVE -> !copy.isEmpty();
        };
        if (!fits) {
            throw new IllegalArgumentException(mode + " does not take nodes " + copy);
        }
        nodes = java.util.Collections.unmodifiableSortedSet(copy);
    }

    /**
     * {@return pages from {@code nodes} only}
     *
     * @param nodes the nodes, at least one
     * @throws IllegalArgumentException if no node is given or one is out of range
     */
    public static NumaPolicy bind(int... nodes) {
        return new NumaPolicy(Mode.BIND, boxed(nodes));
    }

    /**
     * {@return pages from {@code node} first, from others when it is full}
     *
     * @param node the node
     * @throws IllegalArgumentException if the node is out of range
     */
    public static NumaPolicy preferred(int node) {
        return new NumaPolicy(Mode.PREFERRED, Set.of(node));
    }

    /**
     * {@return pages round-robin over {@code nodes}}
     *
     * @param nodes the nodes, at least one
     * @throws IllegalArgumentException if no node is given or one is out of range
     */
    public static NumaPolicy interleave(int... nodes) {
        return new NumaPolicy(Mode.INTERLEAVE, boxed(nodes));
    }

    /** {@return pages from the node of the CPU that touches them first} */
    public static NumaPolicy local() {
        return new NumaPolicy(Mode.LOCAL, Set.of());
    }

    private static Set<Integer> boxed(int[] nodes) {
        Set<Integer> set = new TreeSet<>();
        for (int node : nodes) {
            set.add(node);
        }
        return set;
    }

    @Override
    public String toString() {
        return nodes.isEmpty() ? mode.toString() : mode + " nodes=" + nodes;
    }
}
