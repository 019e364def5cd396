package dev.pagewise.core;

import java.lang.foreign.Arena;

/**
 * A {@link WrappedArena} over an arena that resets ({@link BumpArena}, {@link SharedBumpArena}): still an
 * arena, and still resettable, through the wrapper (which resets the arena, and its own state with it).
 *
 * @param <W> the wrapper
 */
public final class ResettableWrappedArena<W extends AllocatorWrapper> extends WrappedArena<W> implements Resettable {

    ResettableWrappedArena(W wrapper, Arena arena) {
        super(wrapper, arena);
    }

    /** Resets through the wrapper, which resets the arena. */
    @Override
    public ResetReport reset() {
        return wrapper().reset();
    }
}
