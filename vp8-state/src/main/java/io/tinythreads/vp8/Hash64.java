package io.tinythreads.vp8;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A streaming 64-bit content hash (the MurmurHash64A mixing function over little-endian 8-byte
 * words). Every state value feeds one canonical byte sequence into one hasher; fields are never
 * hashed separately and combined.
 */
final class Hash64 {
  private static final long M = 0xc6a4a7935bd1e995L;
  private static final int R = 47;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long h;
  private long length;
  private final byte[] pending = new byte[8];
  private int npending;

  Hash64(long seed) {
    this.h = seed;
  }

  private void word(long k) {
    k *= M;
    k ^= k >>> R;
    k *= M;
    h ^= k;
    h *= M;
  }

  Hash64 update(byte[] b, int off, int len) {
    length += len;
    int i = off;
    int end = off + len;
    while (npending != 0 && i < end) {
      pending[npending++] = b[i++];
      if (npending == 8) {
        word((long) LONGS.get(pending, 0));
        npending = 0;
      }
    }
    for (; i + 8 <= end; i += 8) {
      word((long) LONGS.get(b, i));
    }
    while (i < end) {
      pending[npending++] = b[i++];
    }
    return this;
  }

  Hash64 update(byte[] b) {
    return update(b, 0, b.length);
  }

  Hash64 updateInt(int v) {
    byte[] t = {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    return update(t, 0, 4);
  }

  Hash64 updateBoolean(boolean v) {
    return update(new byte[] {(byte) (v ? 1 : 0)}, 0, 1);
  }

  long finish() {
    long x = h ^ (length * M);
    if (npending > 0) {
      long t = 0;
      for (int i = npending - 1; i >= 0; i--) {
        t = t << 8 | (pending[i] & 0xFF);
      }
      x ^= t;
      x *= M;
    }
    x ^= x >>> R;
    x *= M;
    x ^= x >>> R;
    return x;
  }
}
