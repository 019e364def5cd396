package dev.pagewise.os.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A pool's purger returned the pages of a slot that had been idle longer than the pool's purge delay; its
 * duration is the purge's. Always on: a slot is purged at most once per idle period.
 */
@Name("dev.pagewise.IdlePurge")
@Label("Idle Purge")
@Category("Pagewise")
@Description("The pages of a slot that stayed free longer than its pool's purge delay were returned to the OS")
public final class IdlePurgeEvent extends jdk.jfr.Event {

    @Label("Pool")
    public String pool;

    @Label("Slot")
    public int slot;

    @Label("Idle")
    @Description("How long the slot had been free")
    @Timespan(Timespan.NANOSECONDS)
    public long idle;

    @Label("Bytes Released")
    @Description("The slot's resident bytes before the purge, or its committed bytes where the memory cannot tell")
    @DataAmount
    public long bytesReleased;

    /** An event whose duration the caller starts with {@code begin()}. */
    public IdlePurgeEvent() {
    }
}
