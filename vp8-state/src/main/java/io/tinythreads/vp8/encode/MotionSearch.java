package io.tinythreads.vp8.encode;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;

import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;

/**
 * Motion search for one 16x16 luma block against a reference: full-pixel search from a set of
 * predicted starting vectors with a shrinking square pattern (8 neighbours at steps 16, 8, 4, 2,
 * 1, each repeated while it improves; a superset of libvpx's diamond), scored by SAD plus the
 * vector's rate, then half- and quarter-pixel refinement (5 points each) scored by the SSE of the
 * real sub-pixel prediction plus the vector's rate (libvpx vp8_find_best_sub_pixel_step_iteratively
 * does the same with variance).
 *
 * <p>Vectors stay where the decoder never clamps them: the block may reach at most 16 pixels
 * into the reference's border, and within +-1023 quarter pixels of the base vector {@code best}
 * that NEWMV codes against.
 */
final class MotionSearch {
  private static final int[] DX = {-1, 0, 1, -1, 1, -1, 0, 1};
  // (the same 8 directions are used by the full-pixel pattern)
  private static final int[] DY = {-1, -1, -1, 0, 0, 1, 1, 1};

  private final FrameCoder c;
  private final byte[] pred = new byte[256];
  private int minX;
  private int maxX;
  private int minY;
  private int maxY;
  private int bestRowQ;
  private int bestColQ;

  MotionSearch(FrameCoder c) {
    this.c = c;
  }

  /**
   * Searches macroblock {@code mb} in reference {@code ref}; returns the best vector (packed,
   * 1/8 pixel, even) or 0.
   *
   * @param starts candidate starting vectors (packed), {@code nStarts} of them
   * @param best the census's base vector (NEWMV codes the difference to it)
   */
  int search(int mb, int ref, int[] starts, int nStarts, int best, double lambda) {
    Raster.Plane p = c.before.references().get(ref).yPlane();
    int row = mb / c.mbCols;
    int col = mb - row * c.mbCols;
    int x0 = col * 16;
    int y0 = row * 16;
    // Full-pixel displacement limits: 16 pixels into the border (no decoder clamping) and the
    // coding range around best (1023 quarter pixels, i.e. 255 whole pixels to stay safe).
    bestRowQ = mvRow(best) >> 1;
    bestColQ = mvCol(best) >> 1;
    minX = Math.max(-(x0 + 16), (bestColQ >> 2) - 254);
    maxX = Math.min(c.mbCols * 16 - x0, (bestColQ >> 2) + 254);
    minY = Math.max(-(y0 + 16), (bestRowQ >> 2) - 254);
    maxY = Math.min(c.mbRows * 16 - y0, (bestRowQ >> 2) + 254);
    double lamSad = Math.sqrt(lambda);
    byte[] s = c.src.y;
    int so = c.srcYOff(mb);
    int sst = c.src.yStride;
    byte[] r = p.data();
    int stride = p.stride();
    int base = p.origin() + y0 * stride + x0;

    int bx = 0;
    int by = 0;
    double bestCost = Double.MAX_VALUE;
    for (int i = 0; i < nStarts; i++) {
      int v = starts[i];
      int dx = clamp((mvCol(v) + 4) >> 3, minX, maxX);
      int dy = clamp((mvRow(v) + 4) >> 3, minY, maxY);
      double cost = fullCost(s, so, sst, r, base, stride, dx, dy, lamSad);
      if (cost < bestCost) {
        bestCost = cost;
        bx = dx;
        by = dy;
      }
    }
    for (int step = 16; step >= 1; step >>= 1) {
      boolean moved = true;
      int iterations = 0;
      while (moved && iterations++ < 8) {
        moved = false;
        int cx = bx;
        int cy = by;
        for (int k = 0; k < 8; k++) {
          int dx = cx + DX[k] * step;
          int dy = cy + DY[k] * step;
          if (dx < minX || dx > maxX || dy < minY || dy > maxY) {
            continue;
          }
          double cost = fullCost(s, so, sst, r, base, stride, dx, dy, lamSad);
          if (cost < bestCost) {
            bestCost = cost;
            bx = dx;
            by = dy;
            moved = true;
          }
        }
      }
    }
    // Sub-pixel refinement in half, then quarter pixels (vectors are 1/8 pel: 4 and 2 units), as
    // libvpx's vp8_find_best_sub_pixel_step_iteratively: the four axial neighbours, then the
    // diagonal between the better horizontal and the better vertical one.
    int mr = by * 8;
    int mcl = bx * 8;
    double subBest = subCost(mb, ref, mr, mcl, s, so, sst, lambda);
    for (int step = 4; step >= 2; step >>= 1) {
      int cr = mr;
      int cc = mcl;
      double left = subCostChecked(mb, ref, cr, cc - step, s, so, sst, lambda);
      double right = subCostChecked(mb, ref, cr, cc + step, s, so, sst, lambda);
      double up = subCostChecked(mb, ref, cr - step, cc, s, so, sst, lambda);
      double down = subCostChecked(mb, ref, cr + step, cc, s, so, sst, lambda);
      int hc = left <= right ? cc - step : cc + step;
      int vr = up <= down ? cr - step : cr + step;
      double diag = subCostChecked(mb, ref, vr, hc, s, so, sst, lambda);
      if (left < subBest) {
        subBest = left;
        mr = cr;
        mcl = cc - step;
      }
      if (right < subBest) {
        subBest = right;
        mr = cr;
        mcl = cc + step;
      }
      if (up < subBest) {
        subBest = up;
        mr = cr - step;
        mcl = cc;
      }
      if (down < subBest) {
        subBest = down;
        mr = cr + step;
        mcl = cc;
      }
      if (diag < subBest) {
        subBest = diag;
        mr = vr;
        mcl = hc;
      }
    }
    return packMv(mr, mcl);
  }

  private static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : Math.min(v, hi);
  }

  private double fullCost(byte[] s, int so, int sst, byte[] r, int base, int stride, int dx, int dy, double lamSad) {
    int sad = Metrics.sad(s, so, sst, r, base + dy * stride + dx, stride, 16, 16);
    return sad + lamSad * rateBits(dy * 4, dx * 4);
  }

  /** {@link #subCost}, or infinity outside the search range. */
  private double subCostChecked(int mb, int ref, int mr, int mc, byte[] s, int so, int sst, double lambda) {
    if (mc < minX * 8 || mc > maxX * 8 || mr < minY * 8 || mr > maxY * 8) {
      return Double.MAX_VALUE;
    }
    return subCost(mb, ref, mr, mc, s, so, sst, lambda);
  }

  private double subCost(int mb, int ref, int mr, int mc, byte[] s, int so, int sst, double lambda) {
    c.predictLumaOnly(mb, ref, packMv(mr, mc), pred);
    long sse = Metrics.sse(s, so, sst, pred, 0, 16, 16, 16);
    return sse + lambda * rateBits(mr >> 1, mc >> 1);
  }

  /** Approximate bits of a vector given in quarter pixels (its NEWMV difference to best). */
  private double rateBits(int rowQ, int colQ) {
    int dr = rowQ - bestRowQ;
    int dc = colQ - bestColQ;
    if (dr < -MvCosts.MAX || dr > MvCosts.MAX || dc < -MvCosts.MAX || dc > MvCosts.MAX) {
      return 1e9;
    }
    return c.mvCosts.costQ(dr, dc) / 256.0;
  }
}
