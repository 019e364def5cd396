package dev.pagewise.os;

import java.util.LinkedHashMap;
import java.util.Map;

/** An {@link ArenaPool}'s {@link ArenaPoolMXBean}: reads the pool's metrics at each call. */
record PoolBean(ArenaPool pool) implements ArenaPoolMXBean {

    @Override
    public String getName() {
        return pool.name();
    }

    @Override
    public int getSlots() {
        return pool.slots();
    }

    @Override
    public long getSlotSize() {
        return pool.slotSize();
    }

    @Override
    public int getLeased() {
        return pool.metrics().leased();
    }

    @Override
    public int getScrubbing() {
        return pool.metrics().scrubbing();
    }

    @Override
    public int getRetired() {
        return pool.metrics().retired();
    }

    @Override
    public int getFree() {
        return pool.metrics().free();
    }

    @Override
    public int getWaiting() {
        return pool.metrics().waiting();
    }

    @Override
    public long getLeases() {
        return pool.metrics().leases();
    }

    @Override
    public long getReclaimed() {
        return pool.metrics().reclaimed();
    }

    @Override
    public long getResetFailures() {
        return pool.metrics().resetFailures();
    }

    @Override
    public Map<String, Long> getResetsByStrategy() {
        Map<String, Long> byName = new LinkedHashMap<>();
        pool.metrics().resetsByStrategy().forEach((strategy, n) -> byName.put(strategy.name(), n));
        return byName;
    }

    @Override
    public long getPrewarmed() {
        return pool.metrics().prewarmed();
    }

    @Override
    public long getPurges() {
        return pool.metrics().purges();
    }

    @Override
    public long getPurgedBytes() {
        return pool.metrics().purgedBytes();
    }

    @Override
    public long getPurgeFailures() {
        return pool.metrics().purgeFailures();
    }

    /** {@return the resident bytes, or -1 where the pool's memory cannot tell} */
    @Override
    public long getResidentBytes() {
        try {
            return pool.residentBytes();
        } catch (UnsupportedOperationException unknown) {
            return -1;
        }
    }
}
