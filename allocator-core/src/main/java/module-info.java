/**
 * Pagewise core: allocator interfaces, arenas, slabs and reset policies over any
 * {@link dev.pagewise.core.FixedRange}. Knows nothing of any operating system.
 */
@SuppressWarnings("module")
module dev.pagewise.core {
    requires jdk.jfr;
    requires transitive java.management;

    exports dev.pagewise.core;
    exports dev.pagewise.core.internal to dev.pagewise.os;
}
