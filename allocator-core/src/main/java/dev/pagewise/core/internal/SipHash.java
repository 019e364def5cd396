package dev.pagewise.core.internal;

import java.util.Objects;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit MAC for
 * short inputs, here for the links of a {@code HardenedSlab}'s free list. The key is 128 bits, as two
 * little-endian halves {@code k0} (key bytes 0-7) and {@code k1} (bytes 8-15). Stateless and thread-safe.
 */
public final class SipHash {

    private SipHash() {
    }

    /**
     * {@return SipHash-2-4 of {@code message} under {@code key}, the output's eight bytes read little-endian}
     *
     * @param key     the 16-byte key
     * @param message the message, any length
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is not 16 bytes long
     */
    public static long hash(byte[] key, byte[] message) {
        Objects.requireNonNull(message, "message");
        if (Objects.requireNonNull(key, "key").length != 16) {
            throw new IllegalArgumentException("a SipHash key is 16 bytes: " + key.length);
        }
        State s = new State(littleEndian(key, 0, 8), littleEndian(key, 8, 8));
        int whole = message.length & ~7;
        for (int i = 0; i < whole; i += 8) {
            s.compress(littleEndian(message, i, 8));
        }
        long last = ((long) message.length << 56) | littleEndian(message, whole, message.length - whole);
        s.compress(last);
        return s.finish();
    }

    /**
     * {@return SipHash-2-4 of the 16-byte message {@code m0 m1} (each eight bytes, little-endian) under the key
     * {@code k0 k1}} The same value {@link #hash(byte[], byte[])} gives for those bytes, without allocating.
     *
     * @param k0 key bytes 0-7, little-endian
     * @param k1 key bytes 8-15, little-endian
     * @param m0 message bytes 0-7, little-endian
     * @param m1 message bytes 8-15, little-endian
     */
    public static long hash(long k0, long k1, long m0, long m1) {
        // The rounds are written out on locals (not the array State uses): this runs on every free and take.
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        for (int word = 0; word < 3; word++) {
            long m = word == 0 ? m0 : word == 1 ? m1 : 16L << 56;
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static final class State {
        private final long[] v = new long[4];

        State(long k0, long k1) {
            v[0] = k0 ^ 0x736f6d6570736575L;
            v[1] = k1 ^ 0x646f72616e646f6dL;
            v[2] = k0 ^ 0x6c7967656e657261L;
            v[3] = k1 ^ 0x7465646279746573L;
        }

        void compress(long m) {
            v[3] ^= m;
            round(v);
            round(v);
            v[0] ^= m;
        }

        long finish() {
            v[2] ^= 0xff;
            for (int i = 0; i < 4; i++) {
                round(v);
            }
            return v[0] ^ v[1] ^ v[2] ^ v[3];
        }
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }

    /** {@return {@code length} (at most 8) bytes of {@code bytes} from {@code from}, read little-endian} */
    private static long littleEndian(byte[] bytes, int from, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[from + i] & 0xFFL);
        }
        return value;
    }
}
