package dev.pagewise.core;

/** An allocator that frees everything at once. Wrappers forward {@link #reset()} to what they wrap. */
public interface Resettable {

    /**
     * Frees everything allocated so far; the memory reads zero again under the allocator's policy.
     *
     * @return what the reset did
     * @throws UnsupportedOperationException if a wrapper's inner allocator cannot reset
     */
    ResetReport reset();
}
