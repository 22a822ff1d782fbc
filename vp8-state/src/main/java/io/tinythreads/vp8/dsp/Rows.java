package io.tinythreads.vp8.dsp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Short-row copies and fills for block-sized work. {@code System.arraycopy} and {@code
 * Arrays.fill} pay a fixed cost per call that dominates at 4 to 16 bytes; 8-byte (and 4-byte)
 * array-view accesses copy a 16x16 block about five times faster. Byte order does not matter
 * for a copy; little-endian is the native order on the machines this runs on.
 */
final class Rows {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private Rows() {}

  /** Copies a {@code w x h} block. */
  static void copy(
      byte[] src, int srcOff, int srcStride, byte[] dst, int dstOff, int dstStride, int w, int h) {
    switch (w) {
      case 16 -> {
        for (int r = 0; r < h; r++, srcOff += srcStride, dstOff += dstStride) {
          LONG.set(dst, dstOff, (long) LONG.get(src, srcOff));
          LONG.set(dst, dstOff + 8, (long) LONG.get(src, srcOff + 8));
        }
      }
      case 8 -> {
        for (int r = 0; r < h; r++, srcOff += srcStride, dstOff += dstStride) {
          LONG.set(dst, dstOff, (long) LONG.get(src, srcOff));
        }
      }
      case 4 -> {
        for (int r = 0; r < h; r++, srcOff += srcStride, dstOff += dstStride) {
          INT.set(dst, dstOff, (int) INT.get(src, srcOff));
        }
      }
      default -> {
        for (int r = 0; r < h; r++, srcOff += srcStride, dstOff += dstStride) {
          System.arraycopy(src, srcOff, dst, dstOff, w);
        }
      }
    }
  }

  /** Fills {@code size} bytes (4, 8 or 16) at {@code off} with {@code v}. */
  static void fill(byte[] dst, int off, int size, byte v) {
    long pattern = (v & 0xFFL) * 0x0101010101010101L;
    switch (size) {
      case 16 -> {
        LONG.set(dst, off, pattern);
        LONG.set(dst, off + 8, pattern);
      }
      case 8 -> LONG.set(dst, off, pattern);
      case 4 -> INT.set(dst, off, (int) pattern);
      default -> java.util.Arrays.fill(dst, off, off + size, v);
    }
  }
}
