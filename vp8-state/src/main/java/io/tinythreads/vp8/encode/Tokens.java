package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.Tables;

/**
 * The token side of RFC 6386 section 13, for an encoder: the cost of coding a block's
 * coefficients with given probabilities, and the counts of every bool the writer will code (for
 * choosing probability updates, section 13.4). Both walk a block exactly as the frame writer
 * (and libvpx's tokenizer) codes it.
 *
 * <p>Blocks are 16 quantized coefficients in raster order; {@code first} is 1 for luma blocks of
 * macroblocks with a Y2 block (their DC travels in Y2), else 0; {@code eob} is one past the last
 * nonzero coefficient in zigzag order at or after {@code first} (0 if none).
 */
final class Tokens {
  static final int[] ZIGZAG = Tables.zigzagTable();
  private static final int[] BANDS = Tables.coeffBandTable();
  /** Cost of the extra bits and sign of each magnitude 0..MAX (fixed probabilities). */
  private static final int[] EXTRA_COST;
  static final int MAX = 67 + 2047;

  static {
    int[][] cat = {Tables.catProbs(3), Tables.catProbs(4), Tables.catProbs(5), Tables.catProbs(6)};
    EXTRA_COST = new int[MAX + 1];
    for (int v = 1; v <= MAX; v++) {
      int c = 256; // sign
      if (v >= 5 && v <= 6) {
        c += Costs.bool(159, v == 6);
      } else if (v >= 7 && v <= 10) {
        int x = v - 7;
        c += Costs.bool(165, (x & 2) != 0) + Costs.bool(145, (x & 1) != 0);
      } else if (v > 10) {
        int k = v >= 67 ? 3 : v >= 35 ? 2 : v >= 19 ? 1 : 0;
        int extra = v - (3 + (8 << k));
        int[] cp = cat[k];
        for (int i = 0; i < cp.length; i++) {
          c += Costs.bool(cp[i], ((extra >> (cp.length - 1 - i)) & 1) != 0);
        }
      }
      EXTRA_COST[v] = c;
    }
  }

  /** Token of each magnitude 1..MAX: 1..4 literal, 5 cat1 (5-6), 6 cat2 (7-10), 7..10 cat3..cat6. */
  private static final byte[] TOKEN_OF = new byte[MAX + 1];

  static {
    for (int v = 1; v <= MAX; v++) {
      TOKEN_OF[v] = (byte) (v <= 4 ? v : v <= 6 ? 5 : v <= 10 ? 6 : v <= 18 ? 7 : v <= 34 ? 8 : v <= 66 ? 9 : 10);
    }
  }

  /** Representative magnitude of each token (for its tree cost). */
  private static final int[] TOKEN_VALUE = {0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67};

  /** Entries per (type, band, context) in {@link #costTable}: the zero token and 10 nonzero tokens. */
  static final int GROUP = 11;

  private Tokens() {}

  /**
   * Fills {@code out} (96 groups of {@link #GROUP}) with the cost of each token after the
   * end-of-block branch, at every (type, band, context) of {@code probs}: entry 0 the zero token,
   * entry t the nonzero token t without its extra bits and sign.
   */
  static void costTable(byte[] probs, int[] out) {
    for (int g = 0; g < Tables.NUM_COEFF_PROBS / 11; g++) {
      int p = g * 11;
      out[g * GROUP] = Costs.zero(probs[p + 1] & 0xFF);
      int one = Costs.one(probs[p + 1] & 0xFF);
      for (int t = 1; t <= 10; t++) {
        out[g * GROUP + t] = one + valueCost(probs, p, TOKEN_VALUE[t]);
      }
    }
  }

  /** Cost from {@link #costTable} of value {@code v} at group offset {@code g} (= probability index / 11 * GROUP). */
  static int tableCost(int[] table, int g, int v) {
    if (v == 0) {
      return table[g];
    }
    int abs = Math.min(v < 0 ? -v : v, MAX);
    return table[g + TOKEN_OF[abs]] + EXTRA_COST[abs];
  }

  /** One past the last nonzero coefficient (zigzag order) at or after {@code first}; 0 if none. */
  static int eob(short[] q, int off, int first) {
    for (int i = 15; i >= first; i--) {
      if (q[off + ZIGZAG[i]] != 0) {
        return i + 1;
      }
    }
    return 0;
  }

  /**
   * Cost in 1/256 bit of coding a block's tokens with {@code probs} (flat [type][band][ctx][node])
   * in context {@code ctx} (0..2: how many of the above and left blocks coded tokens).
   */
  static int cost(byte[] probs, short[] q, int off, int eob, int type, int first, int ctx) {
    int typeBase = type * (Tables.COEFF_BANDS * 33);
    int p = typeBase + BANDS[first] * 33 + ctx * 11;
    if (eob == 0) {
      return Costs.zero(probs[p] & 0xFF);
    }
    int c = Costs.one(probs[p] & 0xFF);
    for (int pos = first; pos < eob; pos++) {
      int v = q[off + ZIGZAG[pos]];
      int n = pos + 1;
      if (v == 0) {
        c += Costs.zero(probs[p + 1] & 0xFF);
        p = typeBase + BANDS[n] * 33;
        continue;
      }
      c += Costs.one(probs[p + 1] & 0xFF);
      int abs = v < 0 ? -v : v;
      if (abs > MAX) {
        abs = MAX;
      }
      c += valueCost(probs, p, abs) + EXTRA_COST[abs];
      p = typeBase + BANDS[n] * 33 + (abs == 1 ? 11 : 22);
      if (n < 16) {
        c += Costs.bool(probs[p] & 0xFF, n < eob);
      }
    }
    return c;
  }

  /** Cost of a nonzero magnitude's token after the zero branch, with its extra bits and sign. */
  static int valueAndExtraCost(byte[] probs, int p, int v) {
    int abs = Math.min(v, MAX);
    return valueCost(probs, p, abs) + EXTRA_COST[abs];
  }

  /** Cost of the token tree part (after "not zero") of magnitude {@code v}. */
  private static int valueCost(byte[] probs, int p, int v) {
    if (v == 1) {
      return Costs.zero(probs[p + 2] & 0xFF);
    }
    int c = Costs.one(probs[p + 2] & 0xFF);
    if (v <= 4) {
      c += Costs.zero(probs[p + 3] & 0xFF) + Costs.bool(probs[p + 4] & 0xFF, v != 2);
      if (v != 2) {
        c += Costs.bool(probs[p + 5] & 0xFF, v == 4);
      }
      return c;
    }
    c += Costs.one(probs[p + 3] & 0xFF);
    if (v <= 10) {
      return c + Costs.zero(probs[p + 6] & 0xFF) + Costs.bool(probs[p + 7] & 0xFF, v >= 7);
    }
    c += Costs.one(probs[p + 6] & 0xFF);
    int cat = v >= 67 ? 3 : v >= 35 ? 2 : v >= 19 ? 1 : 0;
    int bit1 = cat >> 1;
    return c + Costs.bool(probs[p + 8] & 0xFF, bit1 != 0) + Costs.bool(probs[p + 9 + bit1] & 0xFF, (cat & 1) != 0);
  }

  /**
   * Adds the bools the writer codes for this block to {@code counts} ({@code counts[2*i]} zeros and
   * {@code counts[2*i+1]} ones of token probability {@code i}).
   */
  static void count(long[] counts, short[] q, int off, int eob, int type, int first, int ctx) {
    int typeBase = type * (Tables.COEFF_BANDS * 33);
    int p = typeBase + BANDS[first] * 33 + ctx * 11;
    if (eob == 0) {
      counts[2 * p]++;
      return;
    }
    counts[2 * p + 1]++;
    for (int pos = first; pos < eob; pos++) {
      int v = q[off + ZIGZAG[pos]];
      int n = pos + 1;
      if (v == 0) {
        counts[2 * (p + 1)]++;
        p = typeBase + BANDS[n] * 33;
        continue;
      }
      counts[2 * (p + 1) + 1]++;
      int abs = v < 0 ? -v : v;
      countValue(counts, p, abs);
      p = typeBase + BANDS[n] * 33 + (abs == 1 ? 11 : 22);
      if (n < 16) {
        counts[2 * p + (n < eob ? 1 : 0)]++;
      }
    }
  }

  private static void countValue(long[] counts, int p, int v) {
    if (v == 1) {
      counts[2 * (p + 2)]++;
      return;
    }
    counts[2 * (p + 2) + 1]++;
    if (v <= 4) {
      counts[2 * (p + 3)]++;
      counts[2 * (p + 4) + (v != 2 ? 1 : 0)]++;
      if (v != 2) {
        counts[2 * (p + 5) + (v == 4 ? 1 : 0)]++;
      }
      return;
    }
    counts[2 * (p + 3) + 1]++;
    if (v <= 10) {
      counts[2 * (p + 6)]++;
      counts[2 * (p + 7) + (v >= 7 ? 1 : 0)]++;
      return;
    }
    counts[2 * (p + 6) + 1]++;
    int cat = v >= 67 ? 3 : v >= 35 ? 2 : v >= 19 ? 1 : 0;
    int bit1 = cat >> 1;
    counts[2 * (p + 8) + bit1]++;
    counts[2 * (p + 9 + bit1) + (cat & 1)]++;
  }
}
