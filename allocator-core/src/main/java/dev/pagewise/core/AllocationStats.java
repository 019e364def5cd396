package dev.pagewise.core;

/**
 * A snapshot of {@link Statistics}.
 *
 * @param allocations successful allocations
 * @param frees       blocks freed through {@code deallocate}
 * @param failures    requests that failed
 * @param resets      resets forwarded
 * @param bytesLive   bytes allocated and not yet freed or reset
 * @param peakBytes   the largest {@code bytesLive} seen
 */
public record AllocationStats(long allocations, long frees, long failures, long resets, long bytesLive,
                              long peakBytes) {
}
