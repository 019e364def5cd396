package dev.pagewise.core.internal;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.ResetPolicy;

import java.util.function.Function;

/**
 * Package-private operations of the core that the os module needs, in the manner of the JDK's
 * {@code SharedSecrets}: each core class hands its operation over once, from its static initialiser.
 * Exported to {@code dev.pagewise.os} only.
 */
public final class Bridge {

    private static Function<Lifetime, Lifetime.Hold> acquire;
    private static Function<BumpArena, Lifetime.Hold> holdOf;
    private static java.util.function.Predicate<ResetPolicy> builtInPolicy;
    private static java.util.function.ToLongFunction<ResetPolicy> residentBudget;
    private static HintedReset hintedReset;

    /** A reset told where the range's resident pages end, for the policies that can use it. */
    @FunctionalInterface
    public interface HintedReset {
        /**
         * {@return what the reset did} As {@link ResetPolicy#reset}, for the one user of {@code region}.
         *
         * @param policy   the policy
         * @param region   the range to restore
         * @param offset   the start of the used part
         * @param length   the length of the used part
         * @param resident where the range's resident pages end; the reset updates it
         */
        dev.pagewise.core.ResetReport reset(ResetPolicy policy, dev.pagewise.core.FixedRange region, long offset,
                                            long length, ResidentEnd resident);
    }

    private Bridge() {
    }

    /**
     * Called once by {@link Lifetime}.
     *
     * @param acquireOperation takes a hold on a lifetime
     * @throws IllegalStateException if already called
     */
    public static synchronized void lifetimes(Function<Lifetime, Lifetime.Hold> acquireOperation) {
        if (acquire != null) {
            throw new IllegalStateException("already set");
        }
        acquire = acquireOperation;
    }

    /**
     * Called once by {@link BumpArena}.
     *
     * @param holdOperation returns the hold an arena has on its range
     * @throws IllegalStateException if already called
     */
    public static synchronized void arenas(Function<BumpArena, Lifetime.Hold> holdOperation) {
        if (holdOf != null) {
            throw new IllegalStateException("already set");
        }
        holdOf = holdOperation;
    }

    /**
     * Called once by the built-in policies.
     *
     * @param isBuiltIn tells whether a policy is one of {@link ResetPolicy}'s own
     * @throws IllegalStateException if already called
     */
    public static synchronized void policies(java.util.function.Predicate<ResetPolicy> isBuiltIn) {
        if (builtInPolicy != null) {
            throw new IllegalStateException("already set");
        }
        builtInPolicy = isBuiltIn;
    }

    /**
     * Called once by the built-in policies.
     *
     * @param budget tells how many bytes of a range a policy keeps resident after a reset
     * @throws IllegalStateException if already called
     */
    public static synchronized void residentBudgets(java.util.function.ToLongFunction<ResetPolicy> budget) {
        if (residentBudget != null) {
            throw new IllegalStateException("already set");
        }
        residentBudget = budget;
    }

    /**
     * Called once by the built-in policies.
     *
     * @param reset resets through a policy, telling it where the range's resident pages end if it can use that
     * @throws IllegalStateException if already called
     */
    public static synchronized void hintedResets(HintedReset reset) {
        if (hintedReset != null) {
            throw new IllegalStateException("already set");
        }
        hintedReset = reset;
    }

    /**
     * {@return what resetting {@code region} through {@code policy} did} A built-in {@code keepResident} policy
     * is told where the range's resident pages end and updates it; any other policy resets as it always does.
     *
     * @param policy   the policy
     * @param region   the range to restore
     * @param offset   the start of the used part
     * @param length   the length of the used part
     * @param resident where the resident pages of the range end, as its one user (the caller) knows
     */
    public static dev.pagewise.core.ResetReport reset(ResetPolicy policy, dev.pagewise.core.FixedRange region,
                                                      long offset, long length, ResidentEnd resident) {
        ResetPolicy.zeroAll(); // initialises the built-in policies, which hand their reset over
        return hintedReset.reset(policy, region, offset, length, resident);
    }

    /**
     * {@return how many bytes of a range {@code policy} keeps resident, zeroed, after a reset:
     * {@link Long#MAX_VALUE} for a policy that keeps everything it zeroes, 0 for one that releases every used
     * page, and -1 for a policy that is not one of {@link ResetPolicy}'s own (what it keeps is unknown)}
     *
     * @param policy the policy to ask about
     */
    public static long residentBudget(ResetPolicy policy) {
        ResetPolicy.zeroAll(); // initialises the built-in policies, which hand their answer over
        return residentBudget.applyAsLong(policy);
    }

    /**
     * {@return whether {@code policy} is one of {@link ResetPolicy}'s own}
     *
     * @param policy the policy to test
     */
    public static boolean isBuiltIn(ResetPolicy policy) {
        ResetPolicy.zeroAll(); // initialises the built-in policies, which hand their test over
        return builtInPolicy.test(policy);
    }

    /**
     * {@return a new hold on {@code lifetime}}
     *
     * @param lifetime the lifetime to hold
     * @throws IllegalStateException if it is closed, or a {@link dev.pagewise.core.GuardPage} owns it
     */
    public static Lifetime.Hold acquire(Lifetime lifetime) {
        return acquire.apply(lifetime);
    }

    /**
     * {@return the hold {@code arena} has on its range} Releasing it ends the arena's use of the range
     * without touching the arena's scope: for an arena whose owner thread ended, or that became unreachable.
     *
     * @param arena the arena
     */
    public static Lifetime.Hold holdOf(BumpArena arena) {
        return holdOf.apply(arena);
    }
}
