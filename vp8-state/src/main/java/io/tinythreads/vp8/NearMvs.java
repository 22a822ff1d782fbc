package io.tinythreads.vp8;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;

import io.tinythreads.vp8.header.Tables;

/**
 * The motion vector census of RFC 6386 section 16.3 (libvpx vp8_find_near_mvs, as the decoder in
 * {@link FrameParser} runs it): the distinct vectors of the above, left and above-left
 * macroblocks with weights 2, 2, 1, sign-corrected for the reference frame's sign bias, which give
 * the probability contexts of the inter mode tree and the NEARESTMV, NEARMV and best vectors.
 * Reusable scratch; one instance per writer.
 */
final class NearMvs {
  /** Vectors found (index 1..3; 0 stays zero). */
  final int[] near = new int[4];
  /** Weights: [0] zero vectors, [1] nearest, [2] near, [3] the third vector. */
  final int[] cnt = new int[4];
  int nearest;
  int nearMv;
  int best;
  /** Weighted count of SPLITMV neighbours (context of the split flag). */
  int splitCount;
  int above;
  int left;
  int aboveLeft;
  int toLeft;
  int toRight;
  int toTop;
  int toBottom;

  /** Runs the census for macroblock {@code mb} of {@code f} predicted from {@code ref}. */
  void find(FrameBuilder f, int mb, int ref) {
    boolean[] bias = {false, false, f.header().signBiasGolden(), f.header().signBiasAlternate()};
    int mbCols = f.mbCols;
    int row = mb / mbCols;
    int col = mb % mbCols;
    toTop = -(row * 16) << 3;
    toBottom = ((f.mbRows - 1 - row) * 16) << 3;
    toLeft = -(col * 16) << 3;
    toRight = ((mbCols - 1 - col) * 16) << 3;
    byte[] refs = f.refFrame;
    int[] mbMv = f.mv;
    boolean refBias = bias[ref];
    near[0] = near[1] = near[2] = near[3] = 0;
    cnt[0] = cnt[1] = cnt[2] = cnt[3] = 0;
    int idx = 0;
    above = row > 0 ? mb - mbCols : -1;
    left = col > 0 ? mb - 1 : -1;
    aboveLeft = row > 0 && col > 0 ? mb - mbCols - 1 : -1;
    int[] neighbours = {above, left, aboveLeft};
    int[] weights = {2, 2, 1};
    for (int k = 0; k < 3; k++) {
      int n = neighbours[k];
      if (n < 0 || refs[n] == Tables.INTRA_FRAME) {
        continue;
      }
      int v = mbMv[n];
      if (v == 0) {
        cnt[0] += weights[k];
        continue;
      }
      int m = bias[refs[n]] != refBias ? packMv(-mvRow(v), -mvCol(v)) : v;
      // A vector opens a new slot unless it equals the last one found (near[0] is zero, and m is not).
      if (m != near[idx]) {
        near[++idx] = m;
      }
      cnt[idx] += weights[k];
    }
    // Merge the third vector into the nearest if they are equal, then order nearest/near by
    // weight. cnt[0] (the ZEROMV context) is not affected.
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
    byte[] modes = f.yMode;
    splitCount = (above >= 0 && modes[above] == Tables.SPLITMV ? 2 : 0)
        + (left >= 0 && modes[left] == Tables.SPLITMV ? 2 : 0)
        + (aboveLeft >= 0 && modes[aboveLeft] == Tables.SPLITMV ? 1 : 0);
  }

  /** libvpx vp8_clamp_mv2: within 16 pixels (plus the macroblock) of the frame. */
  int clamp(int mv) {
    int r = mvRow(mv);
    int c = mvCol(mv);
    if (c < toLeft - 128) {
      c = toLeft - 128;
    } else if (c > toRight + 128) {
      c = toRight + 128;
    }
    if (r < toTop - 128) {
      r = toTop - 128;
    } else if (r > toBottom + 128) {
      r = toBottom + 128;
    }
    return packMv((short) r, (short) c);
  }
}
