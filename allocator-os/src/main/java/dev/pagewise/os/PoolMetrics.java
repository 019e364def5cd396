package dev.pagewise.os;

import java.util.Map;

/**
 * A snapshot of an {@link ArenaPool}.
 *
 * @param slots            slots in the pool
 * @param leased           slots leased now
 * @param scrubbing        slots returned and waiting for (or under) their background reset
 * @param waiting          threads waiting for a slot (an estimate, as {@link java.util.concurrent.Semaphore} gives it)
 * @param leases           leases granted so far
 * @param resetsByStrategy resets so far, by {@link dev.pagewise.core.ResetReport#strategy()}
 * @param residentBytes    bytes of the pool's reservation resident in memory now
 */
public record PoolMetrics(int slots, int leased, int scrubbing, int waiting, long leases,
                          Map<String, Long> resetsByStrategy, long residentBytes) {

    /** {@return slots neither leased nor being scrubbed} */
    public int free() {
        return slots - leased - scrubbing;
    }
}
