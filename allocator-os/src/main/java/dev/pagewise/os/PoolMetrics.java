package dev.pagewise.os;

import dev.pagewise.core.ResetStrategy;

import java.util.Map;

/**
 * An {@link ArenaPool}'s counters, read one after another while the pool runs: not the state of one instant, and
 * a count summed over the slots ({@code leased}, {@code leases}, {@code resetsByStrategy}) may miss what changes
 * during the read, as {@link java.util.concurrent.atomic.LongAdder#sum()} may.
 *
 * @param slots            slots in the pool
 * @param leased           slots leased now
 * @param scrubbing        slots returned and waiting for (or under) their background reset
 * @param retired          slots taken out of service because they could not be zeroed
 * @param waiting          threads waiting for a slot (an estimate, as {@link java.util.concurrent.Semaphore} gives it)
 * @param leases           leases granted so far
 * @param reclaimed        leases the pool ended itself because their thread ended or they became unreachable
 * @param resetFailures    resets whose policy failed (the slot was then zeroed in place, or retired)
 * @param resetsByStrategy resets so far, by the strategy that ran
 * @param prewarmed        slots that {@link ArenaPool#prewarm(int)} faulted pages into so far
 * @param purges           slots whose pages an idle purge returned so far ({@link ArenaPool.Builder#idlePurgeAfter})
 * @param purgedBytes      bytes those purges returned: the slots' resident bytes before each purge, or the bytes
 *                         released where the pool's memory cannot tell ({@link ArenaPool#residentBytes()})
 * @param purgeFailures    idle purges that failed (logged; the slot's pages stayed resident, reading zero)
 */
public record PoolMetrics(int slots, int leased, int scrubbing, int retired, int waiting, long leases, long reclaimed,
                          long resetFailures, Map<ResetStrategy, Long> resetsByStrategy, long prewarmed, long purges,
                          long purgedBytes, long purgeFailures) {

    /** Copies the map. */
    public PoolMetrics {
        resetsByStrategy = Map.copyOf(resetsByStrategy);
    }

    /** {@return slots neither leased, being scrubbed nor retired} */
    public int free() {
        return slots - leased - scrubbing - retired;
    }
}
