package io.tinythreads.vp8.encode;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;

import io.tinythreads.vp8.header.Tables;

/**
 * The motion vector census of RFC 6386 section 16.3 (libvpx vp8_find_near_mvs and
 * vp8_clamp_mv2), run on the encoder's own per-macroblock arrays: from the above, left and
 * above-left macroblocks it derives the NEARESTMV, NEARMV and "best" (NEWMV base) vectors and the
 * probability contexts of the inter mode tree. It must agree with the decoder's census exactly
 * (the frame writer re-runs it and rejects a vector that disagrees). Reusable scratch.
 */
final class MvCensus {
  private final int[] near = new int[4];
  /** [0] zero-vector weight, [1] nearest, [2] near, [3] third. */
  final int[] cnt = new int[4];
  int nearest;
  int nearMv;
  int best;
  int splitCount;
  int toLeft;
  int toRight;
  int toTop;
  int toBottom;

  /**
   * Runs the census for macroblock {@code mb} predicted from {@code ref}, given the reference
   * frame (0 = intra), luma mode and vector of every earlier macroblock.
   */
  void find(int mb, int mbCols, int mbRows, int ref, byte[] refs, byte[] modes, int[] mvs, boolean biasGolden,
      boolean biasAlt) {
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    toTop = -(row * 16) << 3;
    toBottom = ((mbRows - 1 - row) * 16) << 3;
    toLeft = -(col * 16) << 3;
    toRight = ((mbCols - 1 - col) * 16) << 3;
    boolean refBias = bias(ref, biasGolden, biasAlt);
    near[0] = near[1] = near[2] = near[3] = 0;
    cnt[0] = cnt[1] = cnt[2] = cnt[3] = 0;
    int idx = 0;
    int above = row > 0 ? mb - mbCols : -1;
    int left = col > 0 ? mb - 1 : -1;
    int aboveLeft = row > 0 && col > 0 ? mb - mbCols - 1 : -1;
    for (int k = 0; k < 3; k++) {
      int n = k == 0 ? above : k == 1 ? left : aboveLeft;
      int w = k == 2 ? 1 : 2;
      if (n < 0 || refs[n] == Tables.INTRA_FRAME) {
        continue;
      }
      int v = mvs[n];
      if (v == 0) {
        cnt[0] += w;
        continue;
      }
      int m = bias(refs[n], biasGolden, biasAlt) != refBias ? packMv(-mvRow(v), -mvCol(v)) : v;
      if (k == 0 || m != near[idx]) {
        near[++idx] = m;
      }
      cnt[idx] += w;
    }
    if (cnt[3] > 0 && near[idx] == near[1]) {
      cnt[1] += 1;
    }
    if (cnt[2] > cnt[1]) {
      int t = cnt[1];
      cnt[1] = cnt[2];
      cnt[2] = t;
      t = near[1];
      near[1] = near[2];
      near[2] = t;
    }
    nearest = clamp(near[1]);
    nearMv = clamp(near[2]);
    best = clamp(near[cnt[1] >= cnt[0] ? 1 : 0]);
    splitCount = (above >= 0 && modes[above] == Tables.SPLITMV ? 2 : 0)
        + (left >= 0 && modes[left] == Tables.SPLITMV ? 2 : 0)
        + (aboveLeft >= 0 && modes[aboveLeft] == Tables.SPLITMV ? 1 : 0);
  }

  private static boolean bias(int ref, boolean golden, boolean alt) {
    return ref == Tables.GOLDEN_FRAME ? golden : ref == Tables.ALTREF_FRAME && alt;
  }

  /** libvpx vp8_clamp_mv2: within 16 pixels (plus the macroblock) of the frame. */
  int clamp(int mv) {
    int r = mvRow(mv);
    int c = mvCol(mv);
    c = c < toLeft - 128 ? toLeft - 128 : Math.min(c, toRight + 128);
    r = r < toTop - 128 ? toTop - 128 : Math.min(r, toBottom + 128);
    return packMv(r, c);
  }

  /**
   * Whether the decoder will clamp a NEWMV/SPLITMV vector of this macroblock when predicting
   * (libvpx need_to_clamp_mvs: more than 16 pixels outside the frame).
   */
  boolean needsClamp(int mv) {
    int r = mvRow(mv);
    int c = mvCol(mv);
    return c < toLeft - 128 || c > toRight + 128 || r < toTop - 128 || r > toBottom + 128;
  }

  /** Cost (1/256 bit) of inter mode {@code mode} (NEARESTMV..SPLITMV) in this census's context. */
  int modeCost(int mode) {
    int c0 = Tables.modeContext(cnt[0], 0);
    if (mode == Tables.ZEROMV) {
      return Costs.zero(c0);
    }
    int c = Costs.one(c0);
    int c1 = Tables.modeContext(cnt[1], 1);
    if (mode == Tables.NEARESTMV) {
      return c + Costs.zero(c1);
    }
    c += Costs.one(c1);
    int c2 = Tables.modeContext(cnt[2], 2);
    if (mode == Tables.NEARMV) {
      return c + Costs.zero(c2);
    }
    c += Costs.one(c2);
    int c3 = Tables.modeContext(splitCount, 3);
    return c + Costs.bool(c3, mode == Tables.SPLITMV);
  }
}
