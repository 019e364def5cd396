package dev.pagewise.os;

import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.PageScanner;
import dev.pagewise.core.Protection;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** An {@link OsBacked} that passes every call to another. */
public class DelegatingOsBacked implements OsBacked {
    private final OsBacked inner;

    public DelegatingOsBacked(OsBacked inner) {
        this.inner = inner;
    }

    @Override
    public long pageSize() {
        return inner.pageSize();
    }

    @Override
    public void releasePages(long offset, long length) {
        inner.releasePages(offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        return inner.protect(offset, length, protection);
    }

    @Override
    public Optional<PageScanner> pageScanner() {
        return inner.pageScanner();
    }

    @Override
    public MemorySegment segment() {
        return inner.segment();
    }

    @Override
    public long byteSize() {
        return inner.byteSize();
    }

    @Override
    public long committed() {
        return inner.committed();
    }

    @Override
    public void commit(long offset, long length) {
        inner.commit(offset, length);
    }

    @Override
    public void zero(long offset, long length) {
        inner.zero(offset, length);
    }

    @Override
    public Lifetime lifetime() {
        return inner.lifetime();
    }
}
