package dev.pagewise.os.windows;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The kernel32 memory calls JNA's platform module lacks ({@code VirtualAlloc}, {@code VirtualFree},
 * {@code VirtualProtect}). {@code SIZE_T} is passed as {@code long}: Pagewise supports 64-bit Windows only.
 */
interface Kernel32Memory extends Library {

    int MEM_COMMIT = 0x1000;
    int MEM_RESERVE = 0x2000;
    int MEM_DECOMMIT = 0x4000;
    int MEM_RELEASE = 0x8000;

    Kernel32Memory INSTANCE = Native.load("kernel32", Kernel32Memory.class);

    Pointer VirtualAlloc(Pointer address, long size, int allocationType, int protect) throws LastErrorException;

    boolean VirtualFree(Pointer address, long size, int freeType) throws LastErrorException;

    boolean VirtualProtect(Pointer address, long size, int newProtect, IntByReference oldProtect)
            throws LastErrorException;
}
