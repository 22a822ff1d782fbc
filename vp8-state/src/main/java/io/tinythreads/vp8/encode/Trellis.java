package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.Tables;

/**
 * Rate-distortion optimized rounding of one quantized block (the idea of libvpx's optimize_b in
 * vp8/encoder/encodemb.c, which vpxenc runs at --good --cpu-used=0): every coefficient the
 * quantizer rounded up in magnitude may instead be rounded down, and the block may end earlier;
 * the choice that minimizes {@code D + lambda * R} over the whole block is found by dynamic
 * programming over the token contexts, with the exact token costs of RFC 6386 section 13 (the
 * end-of-block check is skipped after a zero, and a run of zeros must end in a nonzero value).
 *
 * <p>Distortion is the squared error in the transform domain; the caller scales lambda to it.
 * Reusable scratch; not thread-safe.
 */
final class Trellis {
  private static final int[] ZIGZAG = Tables.zigzagTable();
  private static final int[] BANDS = Tables.coeffBandTable();
  private static final double INF = Double.MAX_VALUE / 4;

  // a[i][k]: best cost of positions i..15 when position i makes the end-of-block check in
  // context k; b[i]: best cost when it does not (the previous token was a zero, context 0).
  private final double[] a = new double[17 * 3];
  private final double[] b = new double[17];
  // Decisions: the value chosen (or 0 with an end of block, marked by eobA).
  private final int[] choiceA = new int[17 * 3];
  private final boolean[] eobA = new boolean[17 * 3];
  private final int[] choiceB = new int[17];
  private final int[] cand = new int[2];
  /** Distortion of zeroing positions i..15 (suffix sums). */
  private final double[] zeroTail = new double[17];

  /**
   * Re-rounds {@code q[qOff..]} (quantized from {@code coef[cOff..]}, both raster order) in place;
   * returns the writer's end of block (one past the last nonzero at or after {@code first}).
   *
   * @param dequant the 16 dequantization factors (raster order) at {@code dqOff}
   * @param type token block type (0 Y after Y2, 1 Y2, 2 chroma, 3 Y with DC)
   * @param ctx the block's token context (0..2)
   * @param lambda distortion (transform domain) per 1/256 bit
   */
  int optimize(short[] coef, int cOff, short[] q, int qOff, short[] dequant, int dqOff, int type, int first, int ctx,
      byte[] probs, int[] costs, double lambda) {
    int typeBase = type * (Tables.COEFF_BANDS * 33);
    zeroTail[16] = 0;
    int last = -1;
    for (int i = 15; i >= first; i--) {
      int rc = ZIGZAG[i];
      double c = coef[cOff + rc];
      zeroTail[i] = zeroTail[i + 1] + c * c;
      if (last < 0 && q[qOff + rc] != 0) {
        last = i;
      }
    }
    if (last < 0) {
      return 0;
    }
    // Beyond the last nonzero value everything stays zero: start the recursion there.
    int end = last + 1;
    for (int k = 0; k < 3; k++) {
      a[end * 3 + k] = end == 16 ? 0 : Costs.zero(probs[typeBase + BANDS[end] * 33 + k * 11] & 0xFF) * lambda
          + zeroTail[end];
      eobA[end * 3 + k] = end < 16;
      choiceA[end * 3 + k] = 0;
    }
    b[end] = INF;
    for (int i = end - 1; i >= first; i--) {
      int rc = ZIGZAG[i];
      int x = q[qOff + rc];
      int c = coef[cOff + rc];
      int dq = dequant[dqOff + rc];
      int n = 0;
      cand[n++] = x;
      int ax = Math.abs(x);
      int ac = Math.abs(c);
      if (x != 0 && ax * dq > ac && ax * dq < ac + dq) {
        // Rounded up: rounding down is the alternative (libvpx's "shortcut" condition).
        cand[n++] = x > 0 ? x - 1 : x + 1;
      }
      int p = typeBase + BANDS[i] * 33;
      // Case B (no end-of-block check, context 0).
      double bestB = INF;
      int bestBv = 0;
      for (int j = 0; j < n; j++) {
        int v = cand[j];
        double d = c - (double) v * dq;
        double cost = d * d + lambda * Tokens.tableCost(costs, p / 11 * Tokens.GROUP, v) + next(i + 1, v);
        if (cost < bestB) {
          bestB = cost;
          bestBv = v;
        }
      }
      b[i] = bestB;
      choiceB[i] = bestBv;
      for (int k = 0; k < 3; k++) {
        int pk = p + k * 11;
        double eob = Costs.zero(probs[pk] & 0xFF) * lambda + zeroTail[i];
        double bestA = eob;
        int bestAv = 0;
        boolean isEob = true;
        int notEob = Costs.one(probs[pk] & 0xFF);
        for (int j = 0; j < n; j++) {
          int v = cand[j];
          double d = c - (double) v * dq;
          double cost = d * d + lambda * (notEob + Tokens.tableCost(costs, pk / 11 * Tokens.GROUP, v))
              + next(i + 1, v);
          if (cost < bestA) {
            bestA = cost;
            bestAv = v;
            isEob = false;
          }
        }
        a[i * 3 + k] = bestA;
        choiceA[i * 3 + k] = bestAv;
        eobA[i * 3 + k] = isEob;
      }
    }
    // Walk the decisions forward from the block's own context.
    int eob = 0;
    boolean check = true;
    int k = ctx;
    for (int i = first; i < end; i++) {
      int v;
      if (check) {
        if (eobA[i * 3 + k]) {
          for (int j = i; j < end; j++) {
            q[qOff + ZIGZAG[j]] = 0;
          }
          break;
        }
        v = choiceA[i * 3 + k];
      } else {
        v = choiceB[i];
      }
      q[qOff + ZIGZAG[i]] = (short) v;
      if (v != 0) {
        eob = i + 1;
      }
      int av = Math.abs(v);
      k = av == 0 ? 0 : av == 1 ? 1 : 2;
      check = v != 0;
    }
    return eob;
  }

  /** The cost of the rest of the block after coding {@code v} (context from its magnitude). */
  private double next(int i, int v) {
    if (v == 0) {
      return b[i];
    }
    int av = Math.abs(v);
    return a[i * 3 + (av == 1 ? 1 : 2)];
  }
}
