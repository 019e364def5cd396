package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** {@link AllocationListener#of}: several listeners heard in order. */
final class CompositeListener implements AllocationListener {

    private final AllocationListener[] listeners;

    CompositeListener(List<AllocationListener> listeners) {
        this.listeners = listeners.toArray(AllocationListener[]::new);
    }

    @Override
    public String onPreAllocation(long byteSize, long byteAlignment) {
        for (int i = 0; i < listeners.length; i++) {
            String refused = listeners[i].onPreAllocation(byteSize, byteAlignment);
            if (refused != null) {
                for (int j = 0; j < i; j++) {
                    listeners[j].onFailedAllocation(byteSize, byteAlignment);
                }
                return refused;
            }
        }
        return null;
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        for (AllocationListener l : listeners) {
            l.onAllocation(segment);
        }
    }

    @Override
    public void onFailedAllocation(long byteSize, long byteAlignment) {
        for (AllocationListener l : listeners) {
            l.onFailedAllocation(byteSize, byteAlignment);
        }
    }

    @Override
    public void onRelease(MemorySegment segment) {
        for (AllocationListener l : listeners) {
            l.onRelease(segment);
        }
    }

    @Override
    public String onPreResize(MemorySegment segment, long newSize) {
        for (int i = 0; i < listeners.length; i++) {
            String refused = listeners[i].onPreResize(segment, newSize);
            if (refused != null) {
                for (int j = 0; j < i; j++) {
                    listeners[j].onFailedResize(segment, newSize);
                }
                return refused;
            }
        }
        return null;
    }

    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        for (AllocationListener l : listeners) {
            l.onResize(segment, resized);
        }
    }

    @Override
    public void onFailedResize(MemorySegment segment, long newSize) {
        for (AllocationListener l : listeners) {
            l.onFailedResize(segment, newSize);
        }
    }

    @Override
    public void onReset() {
        for (AllocationListener l : listeners) {
            l.onReset();
        }
    }

    @Override
    public void onClose() {
        for (AllocationListener l : listeners) {
            l.onClose();
        }
    }

    @Override
    public String toString() {
        return "AllocationListener.of" + java.util.Arrays.toString(listeners);
    }
}
