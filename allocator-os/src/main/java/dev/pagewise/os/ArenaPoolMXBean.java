package dev.pagewise.os;

import java.util.Map;

/**
 * The JMX view of an {@link ArenaPool}, registered by {@link ArenaPool.Builder#registerMBean()} as
 * {@code dev.pagewise:type=ArenaPool,name="<name>"} and unregistered when the pool closes. Every attribute
 * but {@link #getResidentBytes()} reads a counter of {@link ArenaPool#metrics()}; that one is -1 where the
 * pool's memory cannot tell.
 */
public interface ArenaPoolMXBean {

    /** {@return the pool's name} */
    String getName();

    /** {@return the number of slots, retired ones included} */
    int getSlots();

    /** {@return the size of each slot in bytes} */
    long getSlotSize();

    /** {@return slots leased now} */
    int getLeased();

    /** {@return slots waiting for or under their background reset} */
    int getScrubbing();

    /** {@return slots taken out of service because they could not be zeroed} */
    int getRetired();

    /** {@return slots free to lease} */
    int getFree();

    /** {@return threads waiting for a slot, as an estimate} */
    int getWaiting();

    /** {@return leases granted so far} */
    long getLeases();

    /** {@return leases the pool ended itself because their thread ended or they became unreachable} */
    long getReclaimed();

    /** {@return resets whose policy failed} */
    long getResetFailures();

    /** {@return resets so far, by strategy name} */
    Map<String, Long> getResetsByStrategy();

    /** {@return slots that {@link ArenaPool#prewarm(int)} faulted pages into so far} */
    long getPrewarmed();

    /** {@return slots whose pages an idle purge returned so far} */
    long getPurges();

    /** {@return bytes idle purges returned so far} */
    long getPurgedBytes();

    /** {@return idle purges that failed} */
    long getPurgeFailures();

    /** {@return bytes of the pool's memory resident now: a {@code mincore} call over the whole reservation, not a counter} */
    long getResidentBytes();
}
