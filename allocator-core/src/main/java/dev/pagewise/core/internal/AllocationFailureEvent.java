package dev.pagewise.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** An allocation failed with {@code AllocationFailedException}: rare and already costly, so always on. */
@Name("dev.pagewise.AllocationFailure")
@Label("Allocation Failure")
@Category("Pagewise")
@Description("An allocator had no room for a request and threw AllocationFailedException")
public final class AllocationFailureEvent extends jdk.jfr.Event {

    @Label("Message")
    String message;

    @Label("Requested")
    @DataAmount
    long byteSize;

    @Label("Alignment")
    long byteAlignment;

    @Label("Remaining")
    @Description("Bytes the allocator had left, or -1 if it cannot tell")
    @DataAmount
    long remaining;

    AllocationFailureEvent() {
    }
}
