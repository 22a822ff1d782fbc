package io.tinythreads.vp8.dsp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit-exactness of {@link IntraPredict} against libvpx's predictors: the vpx_dsp C functions that
 * vp8 maps its modes to, and libvpx's own entry point vp8_intra4x4_predict (which dispatches to
 * the SIMD versions vpxdec uses).
 */
class IntraPredictTest {
  private static byte[] edge(Random rnd, int n, int kind) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] =
          (byte)
              switch (kind) {
                case 0 -> rnd.nextInt(256);
                case 1 -> rnd.nextBoolean() ? 255 - rnd.nextInt(4) : rnd.nextInt(4);
                case 2 -> 127; // frame-edge values libvpx uses
                default -> 60 + rnd.nextInt(30);
              };
    }
    return b;
  }

  @Test
  void subblockPredictorsMatchLibvpx() {
    Random rnd = new Random(21);
    int perMode = 600;
    int n = 10 * perMode;
    byte[][] aboves = new byte[n][];
    byte[][] lefts = new byte[n][];
    int[] topLefts = new int[n];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < n; i++) {
      aboves[i] = edge(rnd, 8, i % 4);
      lefts[i] = edge(rnd, 4, (i / 4) % 4);
      topLefts[i] = rnd.nextInt(256);
      req.op(LibvpxRef.OP_INTRA4).u8(i % 10).bytes(aboves[i]).bytes(lefts[i]).u8(topLefts[i]);
    }
    ByteBuffer ans = LibvpxRef.run(req, n * 32);
    for (int i = 0; i < n; i++) {
      int mode = i % 10;
      byte[] c = new byte[16];
      byte[] decoder = new byte[16];
      ans.get(c).get(decoder);
      assertArrayEquals(c, decoder, "libvpx vp8_intra4x4_predict (SIMD dispatch) vs C, mode " + mode);

      int stride = 11 + i % 7;
      int off = stride + 1 + i % 3;
      byte[] buf = new byte[off + 4 * stride + 8];
      Arrays.fill(buf, (byte) 0x3C);
      System.arraycopy(aboves[i], 0, buf, off - stride, 8);
      buf[off - stride - 1] = (byte) topLefts[i];
      for (int r = 0; r < 4; r++) {
        buf[off - 1 + r * stride] = lefts[i][r];
      }
      byte[] before = buf.clone();
      IntraPredict.predict4x4(mode, buf, off, stride);
      byte[] got = new byte[16];
      for (int r = 0; r < 4; r++) {
        System.arraycopy(buf, off + r * stride, got, 4 * r, 4);
      }
      assertArrayEquals(c, got, "mode " + mode + " case " + i);
      // Nothing outside the 4x4 block is written.
      for (int r = 0; r < 4; r++) {
        Arrays.fill(buf, off + r * stride, off + r * stride + 4, (byte) 0);
        Arrays.fill(before, off + r * stride, off + r * stride + 4, (byte) 0);
      }
      assertArrayEquals(before, buf, "writes outside the block, mode " + mode);
    }
  }

  @Test
  void macroblockPredictorsMatchLibvpx() {
    Random rnd = new Random(22);
    int n = 4000;
    int[][] params = new int[n][];
    byte[][] aboves = new byte[n][];
    byte[][] lefts = new byte[n][];
    int[] topLefts = new int[n];
    LibvpxRef.Request req = new LibvpxRef.Request();
    int expected = 0;
    for (int i = 0; i < n; i++) {
      int size = i % 2 == 0 ? 16 : 8;
      int mode = (i / 2) % 4;
      int haveAbove = (i / 8) % 2;
      int haveLeft = (i / 16) % 2;
      params[i] = new int[] {size, mode, haveAbove, haveLeft};
      aboves[i] = edge(rnd, size, rnd.nextInt(4));
      lefts[i] = edge(rnd, size, rnd.nextInt(4));
      topLefts[i] = rnd.nextInt(256);
      req.op(LibvpxRef.OP_INTRA_MB)
          .u8(size)
          .u8(mode)
          .u8(haveAbove)
          .u8(haveLeft)
          .bytes(aboves[i])
          .bytes(lefts[i])
          .u8(topLefts[i]);
      expected += 2 * size * size;
    }
    ByteBuffer ans = LibvpxRef.run(req, expected);
    for (int i = 0; i < n; i++) {
      int size = params[i][0];
      int mode = params[i][1];
      boolean haveAbove = params[i][2] == 1;
      boolean haveLeft = params[i][3] == 1;
      byte[] c = new byte[size * size];
      byte[] simd = new byte[size * size];
      ans.get(c).get(simd);
      String what = size + "x" + size + " mode " + mode + " above " + haveAbove + " left " + haveLeft;
      assertArrayEquals(c, simd, "libvpx SSE2 vs C, " + what);

      int stride = size + 8 + i % 5;
      int off = stride + 3;
      byte[] buf = new byte[off + size * stride + 4];
      Arrays.fill(buf, (byte) 0x3C);
      System.arraycopy(aboves[i], 0, buf, off - stride, size);
      buf[off - stride - 1] = (byte) topLefts[i];
      for (int r = 0; r < size; r++) {
        buf[off - 1 + r * stride] = lefts[i][r];
      }
      if (size == 16) {
        IntraPredict.predictLuma16(mode, buf, off, stride, haveAbove, haveLeft);
      } else {
        IntraPredict.predictChroma8(mode, buf, off, stride, haveAbove, haveLeft);
      }
      byte[] got = new byte[size * size];
      for (int r = 0; r < size; r++) {
        System.arraycopy(buf, off + r * stride, got, size * r, size);
      }
      assertArrayEquals(c, got, what + " case " + i);
    }
  }

  @Test
  void rejectsUnknownModes() {
    byte[] buf = new byte[1024];
    assertThatThrownBy(() -> IntraPredict.predictLuma16(IntraPredict.B_PRED, buf, 100, 20, true, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mode");
    assertThatThrownBy(() -> IntraPredict.predict4x4(10, buf, 100, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bmode");
  }
}
