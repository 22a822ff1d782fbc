package io.tinythreads.vp8.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit-exactness of {@link LoopFilter} against libvpx: the limit and threshold tables come from
 * libvpx itself (vp8_loop_filter_update_sharpness and the hev table vp8_loop_filter_init builds);
 * whole frames are filtered by libvpx's C edge functions (vp8_loop_filter_mbv_c, _bv_c, _mbh_c,
 * _bh_c and the simple-filter ones) in vp8_loop_filter_frame's macroblock order, and by the SSE2
 * versions vpxdec runs; all three must agree on every byte of the planes, borders included.
 */
class LoopFilterTest {
  private static final int Y_BORDER = 32;
  private static final int UV_BORDER = 16;

  @Test
  void limitsAndThresholdsMatchLibvpxTables() {
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int sharpness = 0; sharpness < 8; sharpness++) {
      req.op(LibvpxRef.OP_LF_TABLES).u8(sharpness);
    }
    ByteBuffer ans = LibvpxRef.run(req, 8 * 64 * 5);
    for (int sharpness = 0; sharpness < 8; sharpness++) {
      for (int level = 0; level < 64; level++) {
        int mblim = ans.get() & 0xFF;
        int blim = ans.get() & 0xFF;
        int lim = ans.get() & 0xFF;
        int hevKey = ans.get() & 0xFF;
        int hevInter = ans.get() & 0xFF;
        String what = "sharpness " + sharpness + " level " + level;
        int interior = LoopFilter.interiorLimit(level, sharpness);
        assertThat(interior).as("interior limit, " + what).isEqualTo(lim);
        assertThat((level + 2) * 2 + interior).as("mb edge limit, " + what).isEqualTo(mblim);
        assertThat(level * 2 + interior).as("sub-block edge limit, " + what).isEqualTo(blim);
        assertThat(LoopFilter.hevThreshold(level, true)).as("key hev, " + what).isEqualTo(hevKey);
        assertThat(LoopFilter.hevThreshold(level, false)).as("inter hev, " + what).isEqualTo(hevInter);
      }
    }
  }

  /** One frame-filtering case; planes include their borders. */
  private record Frame(
      int mbCols,
      int mbRows,
      boolean simple,
      int sharpness,
      boolean keyFrame,
      byte[] levels,
      boolean[] inner,
      byte[] y,
      byte[] u,
      byte[] v) {
    int yStride() {
      return 16 * mbCols + 2 * Y_BORDER;
    }

    int uvStride() {
      return 8 * mbCols + 2 * UV_BORDER;
    }

    Frame copy() {
      return new Frame(
          mbCols, mbRows, simple, sharpness, keyFrame, levels, inner, y.clone(), u.clone(), v.clone());
    }
  }

  /**
   * Content that the filter acts on: a smooth gradient with a random offset per 4x4 block (the
   * blocking the filter removes), small noise, and some blocks pushed to the 0/255 rails so that
   * the signed-byte clamps are hit; kind 3 is plain noise; kind 4 is flat 8x8 tiles with small
   * steps and a few stray pixels (the filters' flat-area shortcuts).
   */
  private static byte[] plane(Random rnd, int width, int height, int kind) {
    byte[] p = new byte[width * height];
    if (kind == 4) {
      int tileCols = (width + 7) / 8;
      int[] tiles = new int[tileCols * ((height + 7) / 8)];
      int base = 30 + rnd.nextInt(190);
      for (int i = 0; i < tiles.length; i++) {
        tiles[i] = rnd.nextInt(3) == 0 ? base + rnd.nextInt(9) - 4 : base;
      }
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          int value = tiles[(r / 8) * tileCols + c / 8];
          if (rnd.nextInt(64) == 0) {
            value += rnd.nextInt(7) - 3;
          }
          p[r * width + c] = (byte) value;
        }
      }
      return p;
    }
    int blockCols = (width + 3) / 4;
    int[] offsets = new int[blockCols * ((height + 3) / 4)];
    int step = 1 + rnd.nextInt(kind == 1 ? 40 : 12);
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = rnd.nextInt(2 * step + 1) - step;
      if (kind == 2 && rnd.nextInt(6) == 0) {
        offsets[i] += rnd.nextBoolean() ? 300 : -300;
      }
    }
    int base = 40 + rnd.nextInt(170);
    for (int r = 0; r < height; r++) {
      for (int c = 0; c < width; c++) {
        int value =
            kind == 3
                ? rnd.nextInt(256)
                : base + (r + c) / 8 + offsets[(r / 4) * blockCols + c / 4] + rnd.nextInt(3) - 1;
        p[r * width + c] = (byte) Math.max(0, Math.min(255, value));
      }
    }
    return p;
  }

  private static Frame randomFrame(Random rnd, int mbCols, int mbRows, int kind) {
    int n = mbCols * mbRows;
    byte[] levels = new byte[n];
    boolean[] inner = new boolean[n];
    for (int i = 0; i < n; i++) {
      levels[i] = (byte) (rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(64));
      inner[i] = rnd.nextInt(4) != 0;
    }
    Frame f =
        new Frame(
            mbCols,
            mbRows,
            rnd.nextInt(3) == 0,
            rnd.nextInt(8),
            rnd.nextBoolean(),
            levels,
            inner,
            plane(rnd, 16 * mbCols + 2 * Y_BORDER, 16 * mbRows + 2 * Y_BORDER, kind),
            plane(rnd, 8 * mbCols + 2 * UV_BORDER, 8 * mbRows + 2 * UV_BORDER, kind),
            plane(rnd, 8 * mbCols + 2 * UV_BORDER, 8 * mbRows + 2 * UV_BORDER, kind));
    return f;
  }

  private static void filterJava(Frame f) {
    LoopFilter.filterFrame(
        f.y,
        f.u,
        f.v,
        Y_BORDER * f.yStride() + Y_BORDER,
        UV_BORDER * f.uvStride() + UV_BORDER,
        f.yStride(),
        f.uvStride(),
        f.mbCols,
        f.mbRows,
        f.levels,
        f.inner,
        f.simple,
        f.sharpness,
        f.keyFrame);
  }

  private static byte[] flags(boolean[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = (byte) (b[i] ? 1 : 0);
    }
    return r;
  }

  @Test
  void framesMatchLibvpxCAndSse2() {
    Random rnd = new Random(31);
    int[][] sizes = {{1, 1}, {2, 1}, {1, 3}, {3, 2}, {5, 4}, {11, 9}, {22, 18}};
    List<Frame> frames = new ArrayList<>();
    LibvpxRef.Request req = new LibvpxRef.Request();
    int expected = 0;
    for (int k = 0; k < 175; k++) {
      int[] size = sizes[k % sizes.length];
      Frame f = randomFrame(rnd, size[0], size[1], (k / sizes.length) % 5);
      frames.add(f);
      req.op(LibvpxRef.OP_LOOP_FILTER)
          .u16(f.mbCols)
          .u16(f.mbRows)
          .u8(f.simple ? 1 : 0)
          .u8(f.sharpness)
          .u8(f.keyFrame ? 1 : 0)
          .bytes(f.levels)
          .bytes(flags(f.inner))
          .bytes(f.y)
          .bytes(f.u)
          .bytes(f.v);
      expected += 2 * (f.y.length + f.u.length + f.v.length);
    }
    ByteBuffer ans = LibvpxRef.run(req, expected);
    long changedPixels = 0;
    long totalPixels = 0;
    int simpleFrames = 0;
    for (int k = 0; k < frames.size(); k++) {
      Frame f = frames.get(k);
      Frame c = f.copy();
      ans.get(c.y).get(c.u).get(c.v);
      Frame sse2 = f.copy();
      ans.get(sse2.y).get(sse2.u).get(sse2.v);
      Frame java = f.copy();
      filterJava(java);
      String what =
          "frame " + k + " " + f.mbCols + "x" + f.mbRows + (f.simple ? " simple" : " normal")
              + " sharpness " + f.sharpness + (f.keyFrame ? " key" : " inter");
      assertArrayEquals(c.y, java.y, "Y, " + what);
      assertArrayEquals(c.u, java.u, "U, " + what);
      assertArrayEquals(c.v, java.v, "V, " + what);
      assertArrayEquals(c.y, sse2.y, "libvpx SSE2 vs C, Y, " + what);
      assertArrayEquals(c.u, sse2.u, "libvpx SSE2 vs C, U, " + what);
      assertArrayEquals(c.v, sse2.v, "libvpx SSE2 vs C, V, " + what);
      for (int i = 0; i < f.y.length; i++) {
        changedPixels += f.y[i] != c.y[i] ? 1 : 0;
      }
      totalPixels += f.y.length;
      simpleFrames += f.simple ? 1 : 0;
    }
    // The content must really exercise the filters, or equality would prove little.
    assertThat(changedPixels).isGreaterThan(totalPixels / 10);
    assertThat(simpleFrames).isBetween(20, 150);
  }

  @Test
  void filteringRowRangesInOrderEqualsWholeFrame() {
    Random rnd = new Random(32);
    for (int k = 0; k < 20; k++) {
      Frame f = randomFrame(rnd, 4 + k % 3, 6, k % 3);
      Frame whole = f.copy();
      filterJava(whole);
      Frame pieces = f.copy();
      int yOff = Y_BORDER * f.yStride() + Y_BORDER;
      int uvOff = UV_BORDER * f.uvStride() + UV_BORDER;
      int[] cuts = {0, 1, 1, 3, 6};
      for (int i = 0; i + 1 < cuts.length; i++) {
        LoopFilter.filterRows(
            pieces.y, pieces.u, pieces.v, yOff, uvOff, f.yStride(), f.uvStride(), f.mbCols,
            f.mbRows, f.levels, f.inner, f.simple, f.sharpness, f.keyFrame, cuts[i], cuts[i + 1]);
      }
      assertArrayEquals(whole.y, pieces.y);
      assertArrayEquals(whole.u, pieces.u);
      assertArrayEquals(whole.v, pieces.v);
    }
  }

  @Test
  void levelZeroLeavesFrameUntouched() {
    Random rnd = new Random(33);
    Frame f = randomFrame(rnd, 3, 3, 0);
    java.util.Arrays.fill(f.levels, (byte) 0);
    Frame filtered = f.copy();
    filterJava(filtered);
    assertArrayEquals(f.y, filtered.y);
    assertArrayEquals(f.u, filtered.u);
    assertArrayEquals(f.v, filtered.v);
  }

  @Test
  void rejectsBadArguments() {
    byte[] plane = new byte[64 * 64];
    byte[] levels = {64};
    boolean[] inner = {true};
    assertThatThrownBy(
            () -> LoopFilter.filterFrame(plane, plane, plane, 32 * 64 + 32, 16 * 64 + 16, 64, 64, 1, 1,
                levels, inner, false, 0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mbLevel");
    assertThatThrownBy(
            () -> LoopFilter.filterFrame(plane, plane, plane, 32 * 64 + 32, 16 * 64 + 16, 64, 64, 1, 1,
                new byte[] {3}, inner, false, 8, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sharpness");
    assertThatThrownBy(
            () -> LoopFilter.filterFrame(plane, plane, plane, 32 * 64 + 32, 16 * 64 + 16, 64, 64, 2, 1,
                new byte[] {3}, inner, false, 0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("need 2 entries");
  }
}
