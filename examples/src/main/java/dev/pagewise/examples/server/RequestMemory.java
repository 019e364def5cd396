package dev.pagewise.examples.server;

import dev.pagewise.os.ArenaPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;

/** The off-heap memory of one request, from one of the allocators the server compares. */
interface RequestMemory extends SegmentAllocator, AutoCloseable {

    @Override
    void close();

    /** A lease from a Pagewise {@link ArenaPool}. */
    static RequestMemory pagewise(ArenaPool pool) {
        return of(pool.lease());
    }

    /** A fresh {@code Arena.ofConfined()} per request. */
    static RequestMemory jdk() {
        return of(Arena.ofConfined());
    }

    /** The memory of {@code arena}, closed with the request. */
    private static RequestMemory of(Arena arena) {
        return new RequestMemory() {
            @Override
            public MemorySegment allocate(long byteSize, long byteAlignment) {
                return arena.allocate(byteSize, byteAlignment);
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }

    /** Netty's pooled direct buffers, one per allocation, released with the request. */
    static RequestMemory netty() {
        List<ByteBuf> buffers = new ArrayList<>();
        return new RequestMemory() {
            @Override
            public MemorySegment allocate(long byteSize, long byteAlignment) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer((int) (byteSize + byteAlignment));
                buffers.add(buf);
                MemorySegment whole = MemorySegment.ofBuffer(buf.nioBuffer(0, buf.capacity()));
                long skew = (byteAlignment - whole.address() % byteAlignment) % byteAlignment;
                return whole.asSlice(skew, byteSize);
            }

            @Override
            public void close() {
                buffers.forEach(ByteBuf::release);
            }
        };
    }
}
