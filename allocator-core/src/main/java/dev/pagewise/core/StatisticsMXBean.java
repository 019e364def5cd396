package dev.pagewise.core;

/**
 * The JMX view of a {@link Statistics}, registered by {@link Statistics#registerMBean(String)} as
 * {@code dev.pagewise:type=Statistics,name="<name>"}. Each attribute is one counter of
 * {@link Statistics#snapshot()}; for {@link Statistics#confined()} statistics they are read without
 * synchronization, so a reading may lag the owning thread.
 */
public interface StatisticsMXBean {

    /** {@return successful allocations} */
    long getAllocations();

    /** {@return blocks freed} */
    long getFrees();

    /** {@return requests that failed} */
    long getFailures();

    /** {@return resets} */
    long getResets();

    /** {@return bytes allocated and not yet freed or reset} */
    long getBytesLive();

    /** {@return the largest {@code bytesLive} seen} */
    long getPeakBytes();
}
