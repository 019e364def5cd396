package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

import java.util.Arrays;

/**
 * Equal shares of a range, one per slab, each a whole number of <em>granules</em> (a power of two of at least
 * 4 KiB), so that an address finds its share with one shift and one look-up in a table of granules: no division
 * (tens of cycles) and no fix-up for a granule that straddles two shares. A granule over 1/128 of a share keeps
 * the table at most 127 entries a share; rounding a share down to whole granules loses at most 1/64 of it, and
 * under 4 KiB of a share below 256 KiB (as page alignment always did). {@link SizeClassed} and
 * {@link ConcurrentSizeClassed} cut their ranges this way and copy {@link #granuleShift} and {@link #end} into
 * fields of their own for the look-up.
 *
 * @param size         the bytes of each share, 0 if a share would be smaller than a granule
 * @param granuleShift log2 of the granule
 * @param end          where the last share ends: the offsets below it belong to a share
 */
record Shares(long size, int granuleShift, long end) {

    /** {@return {@code parts} equal shares of {@code rangeBytes}} */
    static Shares of(long rangeBytes, long parts) {
        long granule = Math.max(4096, Long.highestOneBit(rangeBytes / parts / 64));
        long size = Checks.alignDown(rangeBytes / parts, granule);
        return new Shares(size, Long.numberOfTrailingZeros(granule), parts * size);
    }

    /**
     * {@return the table by granule: {@code slabs[i]} for every granule of share {@code i}}, to be read at
     * {@code (int) (offset >>> granuleShift)} for an offset below {@link #end}
     *
     * @param slabs one slab per share, in the order of the shares: as many as the parts the shares were cut into
     */
    <S> S[] byGranule(S[] slabs) {
        int perShare = (int) (size >>> granuleShift);
        // a copy only for an array of the slabs' own type: the fills below overwrite every entry
        S[] table = Arrays.copyOf(slabs, (int) (end >>> granuleShift));
        for (int i = 0; i < slabs.length; i++) {
            Arrays.fill(table, i * perShare, (i + 1) * perShare, slabs[i]);
        }
        return table;
    }
}
