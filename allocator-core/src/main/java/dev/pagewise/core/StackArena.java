package dev.pagewise.core;

import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A stack of frames over a {@link FixedRange}, in the manner of LWJGL's {@code MemoryStack}: each
 * {@link #push()} opens a {@link Frame}, an {@link Arena} whose {@code close} pops everything allocated
 * in it, for try-with-resources around a call.
 *
 * {@snippet lang=java :
 * try (StackArena.Frame frame = stack.push()) {
 *     MemorySegment name = frame.allocateFrom("pagewise");
 *     callNative(name);
 * } // name's bytes read zero again; in checked mode name is no longer accessible
 * }
 *
 * <p>Frames close in reverse order of opening; closing another frame first throws
 * {@link IllegalStateException}. Memory handed out reads zero: a popped frame's bytes are zeroed. A frame's last
 * block {@linkplain Frame#reallocate resizes} in place. In
 * checked mode every frame has its own confined scope. Not thread-safe: the creating thread owns it.
 */
public final class StackArena implements Allocator, Resettable, AutoCloseable {

    private final BumpArena bump;
    private final boolean checked;
    /**
     * The top frame, by id (0: none). Frames are known by number, never by reference, so that a frame used
     * within one method does not escape: C2 can then scalar-replace it with its confined scope, as it does the
     * JDK's own short-lived arenas.
     */
    private long topId;
    private long lastId;
    private int depth;
    private boolean closed;

    private StackArena(BumpArena bump, boolean checked) {
        this.bump = bump;
        this.checked = checked;
    }

    /**
     * {@return a checked stack over {@code range}, owned by the calling thread}
     *
     * @param range the memory to allocate from; held until the stack is closed, and left open
     * @throws NullPointerException if {@code range} is {@code null}
     * @throws IllegalStateException if the range is closed
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no
     *         native access
     */
    public static StackArena over(FixedRange range) {
        return new StackArena(BumpArena.builder(range).name("StackArena").build(), true);
    }

    /**
     * {@return a stack over {@code range} whose frames have no scope of their own: no stale-segment detection}
     *
     * <p>This method is <em>restricted</em>: a segment kept past its frame's pop shows what the next frame
     * writes, so it may be called only from a module with native access.
     *
     * @param range the memory to allocate from; held until the stack is closed, and left open
     * @throws IllegalCallerException if the caller's module has no native access
     */
    public static StackArena uncheckedOver(FixedRange range) {
        Restricted.check("StackArena.uncheckedOver(FixedRange)");
        return new StackArena(BumpArena.builder(range).name("StackArena").unchecked().build(), false);
    }

    /** A frame of the stack: an arena whose segments live until it is closed. */
    public final class Frame implements Arena, Allocator {
        private final long id;
        private final long parentId;
        private final long mark;
        /** The stack's depth with this frame on top: a pop stores its parent's depth instead of reading and decrementing. */
        private final int depth;
        private final Arena arena;
        private final MemorySegment memory;
        /**
         * The range again, in the global scope, for the pop's zeroing once the frame's own scope is closed: made
         * here, so C2 knows its class and that it is alive and keeps no check of either (a 64-byte frame: 8.6-8.7
         * ns through it, 9.2-10.0 through the arena's field, alternating JMH runs; the CHANGELOG has the command).
         */
        private final MemorySegment wipe;
        private boolean closed;

        @SuppressWarnings("restricted")
        private Frame(long id, long parentId, long mark, int depth) {
            this.id = id;
            this.parentId = parentId;
            this.mark = mark;
            this.depth = depth;
            if (checked) {
                this.arena = Arena.ofConfined();
                this.memory = bump.raw().reinterpret(arena, null);
                this.wipe = MemorySegment.ofAddress(memory.address()).reinterpret(memory.byteSize());
            } else {
                this.arena = null;
                this.memory = bump.raw();
                this.wipe = memory;
            }
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            checkTop();
            long offset = bump.bump(byteSize, byteAlignment);
            if (offset < 0) {
                throw new AllocationFailedException("StackArena", byteSize, byteAlignment, bump.remaining(),
                        bump.capacity());
            }
            return memory.asSlice(offset, byteSize);
        }

        @Override
        public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
            checkTop();
            long offset = bump.bump(byteSize, byteAlignment);
            return offset < 0 ? null : memory.asSlice(offset, byteSize);
        }

        /**
         * {@inheritDoc}
         *
         * <p>Here: a block of this frame that is the last allocated grows in place while the stack has room, and
         * gives a shrunk tail back zeroed; any other shrink stays in place; anything else moves within this frame.
         * Nothing is freed before the frame closes: old segments stay accessible until then.
         *
         * @throws IllegalStateException if the frame is closed or is not the top of the stack
         */
        @Override
        public MemorySegment reallocate(MemorySegment segment, long newSize) {
            checkTop();
            return Resizing.reallocate(this, segment, newSize);
        }

        /** Resizes a block of this frame in place, or {@return {@code null}} */
        MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
            checkTop();
            if (segment.address() - memory.address() < mark) {
                return null; // a block below this frame: growing it here would be undone by this frame's pop
            }
            return bump.resizeInPlace(segment, newSize, memory, null);
        }

        private void checkTop() {
            if (id != topId) {
                throw new IllegalStateException(closed ? "frame is closed" : "frame is not the top of the stack");
            }
            bump.checkOwner();
        }

        @Override
        public long capacity() {
            return bump.capacity();
        }

        /** {@inheritDoc} Here: a segment of this open frame (in checked mode), inside the stack's allocated bytes. */
        @Override
        public boolean owns(MemorySegment segment) {
            if (segment == null) {
                return false;
            }
            return !closed && segment.scope().equals(memory.scope()) && bump.holds(segment, memory.address());
        }

        /** {@return whether shrinking {@code segment} in place gives its tail back: only the last block's does} */
        boolean shrinkFrees(MemorySegment segment) {
            return bump.shrinkFrees(segment);
        }

        /** {@return whether this frame is closed} */
        boolean isClosed() {
            return closed;
        }

        @Override
        public MemorySegment.Scope scope() {
            return memory.scope();
        }

        /**
         * Pops the frame: its memory reads zero again and, in checked mode, its segments become inaccessible. If
         * restoring a large frame's memory fails, the frame is popped all the same and the exception propagates:
         * its bytes stay in use by the parent frame until that one pops, or the stack resets.
         *
         * @throws IllegalStateException if the frame is closed or is not the top of the stack, or a downcall holds
         *         its scope; nothing changes then
         * @throws WrongThreadException if called from a thread other than the stack's owner; nothing changes then
         */
        @Override
        public void close() {
            checkTop();
            if (arena != null) {
                arena.close(); // first: while a downcall holds the scope it throws, and nothing may change
            }
            closed = true;
            try {
                bump.popTo(mark, wipe);
            } finally {
                topId = parentId;
                StackArena.this.depth = depth - 1;
            }
        }
    }

    /**
     * Opens a frame on top of the stack.
     *
     * @return the new frame, the top of the stack until it is closed or another frame is pushed
     * @throws WrongThreadException if called from a thread other than the owner
     * @throws IllegalStateException if the stack is closed
     */
    public Frame push() {
        long mark = bump.mark(); // checks the owner, and that the stack is open: closing it closed its arena
        long id = ++lastId;
        int d = depth + 1;
        Frame frame = new Frame(id, topId, mark, d);
        topId = id;
        depth = d;
        return frame;
    }

    /** {@return the number of open frames} */
    public int depth() {
        return depth;
    }

    /** Allocates outside any frame: the segment lives until {@link #reset()} or {@link #close()}. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkNoFrame();
        return bump.allocate(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        checkNoFrame();
        return bump.tryAllocate(byteSize, byteAlignment);
    }

    /**
     * {@inheritDoc} Here, for blocks allocated outside any frame: as {@link BumpArena#reallocate}.
     *
     * @throws IllegalStateException if a frame is open
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        checkNoFrame();
        return Resizing.reallocate(this, segment, newSize);
    }

    /** Resizes a frame-less block in place, or {@return {@code null}} */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        checkNoFrame();
        return bump.resizeInPlace(segment, newSize);
    }

    /** {@return whether shrinking {@code segment} in place gives its tail back: only the last block's does} */
    boolean shrinkFrees(MemorySegment segment) {
        return bump.shrinkFrees(segment);
    }

    private void checkNoFrame() {
        if (topId != 0) {
            throw new IllegalStateException("a frame is open: allocate from the frame");
        }
    }

    @Override
    public long capacity() {
        return bump.capacity();
    }

    /** {@inheritDoc} Here: a frame-less allocation that is still live. */
    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        return bump.owns(segment);
    }

    /** {@return the bytes in use by open frames and frame-less allocations} */
    public long allocated() {
        return bump.allocated();
    }

    /**
     * Frees everything; frames must all be closed.
     *
     * @throws IllegalStateException if a frame is open
     */
    public ResetReport reset() {
        checkNoFrame();
        return bump.reset();
    }

    /**
     * Closes the stack: its memory is reset and the range released (the range itself stays open; close it
     * yourself). Not idempotent.
     *
     * @throws IllegalStateException if a frame is open, or the stack is already closed
     * @throws WrongThreadException if called from a thread other than the owner
     */
    @Override
    public void close() {
        checkOpen();
        bump.checkOwner();
        checkNoFrame();
        closed = true;
        bump.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("StackArena is closed");
        }
    }

    /** {@return whether this allocator is closed} */
    boolean isClosed() {
        return closed;
    }
}
