package io.tinythreads.vp8.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit-exactness of {@link InterPredict} against libvpx's vp8_sixtap_predict*_c and
 * vp8_bilinear_predict*_c for every block size libvpx uses and every fractional offset, plus a
 * check that libvpx's x86 versions (SSE2, SSSE3, MMX), which vpxdec runs, give the same output.
 */
class InterPredictTest {
  private static final int[][] LIBVPX_SIZES = {{16, 16}, {8, 8}, {8, 4}, {4, 4}};
  private static final int REPEATS = 12;

  /** A source patch of (w + 5) x (h + 5) pixels, block origin at (2, 2). */
  private static byte[] randomPatch(Random rnd, int w, int h, int kind) {
    byte[] p = new byte[(w + 5) * (h + 5)];
    for (int i = 0; i < p.length; i++) {
      p[i] =
          (byte)
              switch (kind) {
                case 0 -> rnd.nextInt(256);
                // Alternating extremes drive the six-tap sums far outside 0..255 (clamping).
                case 1 -> ((i + (i / (w + 5))) % 2 == 0) ? 255 - rnd.nextInt(3) : rnd.nextInt(3);
                case 2 -> rnd.nextBoolean() ? 255 : 0;
                default -> 120 + rnd.nextInt(16); // smooth
              };
    }
    return p;
  }

  private record Case(int w, int h, int mx, int my, byte[] patch) {}

  /** Places the patch in a plane with the given stride; returns the plane, block at 'origin'. */
  private static byte[] plane(Case c, int stride, int origin) {
    byte[] plane = new byte[origin + (c.h + 4) * stride + 16];
    Arrays.fill(plane, (byte) 0x77);
    int pw = c.w + 5;
    for (int r = 0; r < c.h + 5; r++) {
      System.arraycopy(c.patch, r * pw, plane, origin + (r - 2) * stride - 2, pw);
    }
    return plane;
  }

  private static byte[] predictJava(InterPredict ip, Case c, boolean bilinear, int variant) {
    int stride = c.w + 5 + 3 * variant;
    int origin = 2 * stride + 2 + variant;
    byte[] ref = plane(c, stride, origin);
    int dstStride = c.w + variant;
    byte[] dst = new byte[5 + c.h * dstStride];
    ip.predict(ref, origin, stride, dst, 5, dstStride, c.w, c.h, c.mx, c.my, bilinear);
    byte[] out = new byte[c.w * c.h];
    for (int r = 0; r < c.h; r++) {
      System.arraycopy(dst, 5 + r * dstStride, out, r * c.w, c.w);
    }
    return out;
  }

  @Test
  void sixtapMatchesLibvpxForAllSizesAndOffsets() {
    matchesLibvpx(false, 11);
  }

  @Test
  void bilinearMatchesLibvpxForAllSizesAndOffsets() {
    matchesLibvpx(true, 12);
  }

  private static void matchesLibvpx(boolean bilinear, long seed) {
    Random rnd = new Random(seed);
    List<Case> cases = new ArrayList<>();
    LibvpxRef.Request req = new LibvpxRef.Request();
    int expected = 0;
    for (int[] size : LIBVPX_SIZES) {
      for (int mx = 0; mx < 8; mx++) {
        for (int my = 0; my < 8; my++) {
          if ((mx | my) == 0) {
            continue; // libvpx copies; it never calls the filters for full-pel positions
          }
          for (int k = 0; k < REPEATS; k++) {
            int w = size[0];
            int h = size[1];
            Case c = new Case(w, h, mx, my, randomPatch(rnd, w, h, k % 4));
            cases.add(c);
            req.op(bilinear ? LibvpxRef.OP_BILINEAR : LibvpxRef.OP_SIXTAP)
                .u8(w)
                .u8(h)
                .u8(mx)
                .u8(my)
                .bytes(c.patch);
            expected += 3 * w * h;
          }
        }
      }
    }
    ByteBuffer ans = LibvpxRef.run(req, expected);
    InterPredict ip = new InterPredict();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      byte[] ref = new byte[c.w * c.h];
      byte[] simd1 = new byte[c.w * c.h];
      byte[] simd2 = new byte[c.w * c.h];
      ans.get(ref).get(simd1).get(simd2);
      String what = (bilinear ? "bilinear " : "sixtap ") + c.w + "x" + c.h + " mx=" + c.mx + " my=" + c.my + " case " + i;
      assertArrayEquals(ref, predictJava(ip, c, bilinear, i % 3), what);
      assertArrayEquals(ref, simd1, "libvpx x86 (SSE2/MMX) vs C, " + what);
      assertArrayEquals(ref, simd2, "libvpx x86 (SSSE3/SSE2) vs C, " + what);
    }
  }

  /**
   * Block sizes libvpx does not have (e.g. 16x8, 4x8, 12x4) are tiled from libvpx 4x4 calls: the
   * filter output at a pixel depends only on the reference around it.
   */
  @Test
  void otherMultipleOfFourSizesMatchTiledLibvpx4x4() {
    Random rnd = new Random(13);
    int[][] sizes = {{16, 8}, {8, 16}, {4, 8}, {12, 4}, {4, 16}, {16, 4}, {12, 12}};
    for (boolean bilinear : new boolean[] {false, true}) {
      List<Case> cases = new ArrayList<>();
      LibvpxRef.Request req = new LibvpxRef.Request();
      int expected = 0;
      for (int[] size : sizes) {
        for (int k = 0; k < 20; k++) {
          int mx = rnd.nextInt(8);
          int my = k == 0 ? 0 : (k == 1 ? 3 : rnd.nextInt(8));
          if ((mx | my) == 0) {
            mx = 5;
          }
          Case c = new Case(size[0], size[1], mx, my, randomPatch(rnd, size[0], size[1], k % 4));
          cases.add(c);
          int pw = c.w + 5;
          for (int by = 0; by < c.h; by += 4) {
            for (int bx = 0; bx < c.w; bx += 4) {
              req.op(bilinear ? LibvpxRef.OP_BILINEAR : LibvpxRef.OP_SIXTAP).u8(4).u8(4).u8(mx).u8(my);
              for (int r = 0; r < 9; r++) {
                req.bytes(c.patch, (by + r) * pw + bx, 9);
              }
              expected += 3 * 16;
            }
          }
        }
      }
      ByteBuffer ans = LibvpxRef.run(req, expected);
      InterPredict ip = new InterPredict();
      for (Case c : cases) {
        byte[] tiled = new byte[c.w * c.h];
        for (int by = 0; by < c.h; by += 4) {
          for (int bx = 0; bx < c.w; bx += 4) {
            byte[] block = new byte[16];
            ans.get(block);
            ans.position(ans.position() + 32);
            for (int r = 0; r < 4; r++) {
              System.arraycopy(block, 4 * r, tiled, (by + r) * c.w + bx, 4);
            }
          }
        }
        assertArrayEquals(
            tiled,
            predictJava(ip, c, bilinear, 1),
            (bilinear ? "bilinear " : "sixtap ") + c.w + "x" + c.h + " mx=" + c.mx + " my=" + c.my);
      }
    }
  }

  /** Any size 1..16 equals the top-left corner of the 16x16 prediction at the same position. */
  @Test
  void anySizeIsTheCornerOfTheMacroblockPrediction() {
    Random rnd = new Random(14);
    InterPredict ip = new InterPredict();
    for (boolean bilinear : new boolean[] {false, true}) {
      for (int w = 1; w <= 16; w++) {
        for (int h = 1; h <= 16; h++) {
          int mx = rnd.nextInt(8);
          int my = rnd.nextInt(8);
          Case big = new Case(16, 16, mx, my, randomPatch(rnd, 16, 16, rnd.nextInt(4)));
          byte[] full = predictJava(ip, big, bilinear, 0);
          // The same reference, read through a w x h window.
          byte[] patch = new byte[(w + 5) * (h + 5)];
          for (int r = 0; r < h + 5; r++) {
            System.arraycopy(big.patch, r * 21, patch, r * (w + 5), w + 5);
          }
          byte[] small = predictJava(ip, new Case(w, h, mx, my, patch), bilinear, 2);
          for (int r = 0; r < h; r++) {
            assertArrayEquals(
                Arrays.copyOfRange(full, r * 16, r * 16 + w),
                Arrays.copyOfRange(small, r * w, r * w + w),
                w + "x" + h + " mx=" + mx + " my=" + my + " row " + r);
          }
        }
      }
    }
  }

  @Test
  void fullPelPositionCopies() {
    Random rnd = new Random(15);
    InterPredict ip = new InterPredict();
    Case c = new Case(16, 16, 0, 0, randomPatch(rnd, 16, 16, 0));
    for (boolean bilinear : new boolean[] {false, true}) {
      byte[] out = predictJava(ip, c, bilinear, 1);
      for (int r = 0; r < 16; r++) {
        assertArrayEquals(
            Arrays.copyOfRange(c.patch, (r + 2) * 21 + 2, (r + 2) * 21 + 18),
            Arrays.copyOfRange(out, r * 16, r * 16 + 16));
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    InterPredict ip = new InterPredict();
    byte[] b = new byte[4096];
    assertThatThrownBy(() -> ip.predict(b, 100, 40, b, 2000, 40, 17, 4, 1, 1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("17x4");
    assertThatThrownBy(() -> ip.predict(b, 100, 40, b, 2000, 40, 4, 4, 8, 1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mx, my");
    assertThat(b).containsOnly((byte) 0);
  }
}
