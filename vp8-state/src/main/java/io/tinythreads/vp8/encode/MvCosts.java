package io.tinythreads.vp8.encode;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;

import io.tinythreads.vp8.header.Tables;

/**
 * Bit costs (1/256 bit) of motion vector differences under a set of motion vector probabilities
 * (RFC 6386 section 17.2, the inverse of the frame writer's writeMvComponent; libvpx
 * vp8_build_component_cost_table). Differences are in quarter pixels, -1023..1023 per component.
 */
final class MvCosts {
  static final int MAX = 1023;
  private static final int[] SMALL_TREE = Tables.smallMvTree();
  private final int[] row = new int[2 * MAX + 1];
  private final int[] col = new int[2 * MAX + 1];

  /** Recomputes the tables for {@code mvProbs} (2 x 19, row component first). */
  void update(byte[] mvProbs) {
    fill(mvProbs, 0, row);
    fill(mvProbs, Tables.MV_PROBS_PER_COMPONENT, col);
  }

  private static void fill(byte[] p, int off, int[] t) {
    for (int v = -MAX; v <= MAX; v++) {
      int x = Math.abs(v);
      int c;
      if (x < 8) {
        c = Costs.zero(p[off + Tables.MVP_IS_SHORT] & 0xFF) + Costs.tree(SMALL_TREE, p, off + Tables.MVP_SHORT, x);
        if (x == 0) {
          t[v + MAX] = c;
          continue;
        }
      } else {
        c = Costs.one(p[off + Tables.MVP_IS_SHORT] & 0xFF);
        for (int i = 0; i < 3; i++) {
          c += Costs.bool(p[off + Tables.MVP_BITS + i] & 0xFF, ((x >> i) & 1) != 0);
        }
        for (int i = Tables.MV_LONG_BITS - 1; i > 3; i--) {
          c += Costs.bool(p[off + Tables.MVP_BITS + i] & 0xFF, ((x >> i) & 1) != 0);
        }
        if ((x & 0xFFF0) != 0) {
          c += Costs.bool(p[off + Tables.MVP_BITS + 3] & 0xFF, ((x >> 3) & 1) != 0);
        }
      }
      t[v + MAX] = c + Costs.bool(p[off + Tables.MVP_SIGN] & 0xFF, v < 0);
    }
  }

  /**
   * Cost of coding {@code mv} (packed, 1/8 pel, even) relative to {@code best}, or
   * {@link Integer#MAX_VALUE} if the difference cannot be coded.
   */
  int cost(int mv, int best) {
    int dr = (short) (mvRow(mv) - mvRow(best));
    int dc = (short) (mvCol(mv) - mvCol(best));
    if (((dr | dc) & 1) != 0 || dr < -2 * MAX || dr > 2 * MAX || dc < -2 * MAX || dc > 2 * MAX) {
      return Integer.MAX_VALUE;
    }
    return row[(dr >> 1) + MAX] + col[(dc >> 1) + MAX];
  }

  /**
   * Adds the bools that coding {@code mv - best} writes to {@code counts} ({@code [2i]} zeros and
   * {@code [2i+1]} ones of motion vector probability {@code i}, row component first).
   */
  static void count(long[] counts, int mv, int best) {
    int dr = (short) (mvRow(mv) - mvRow(best)) >> 1;
    int dc = (short) (mvCol(mv) - mvCol(best)) >> 1;
    countComponent(counts, dr, 0);
    countComponent(counts, dc, Tables.MV_PROBS_PER_COMPONENT);
  }

  private static void countComponent(long[] counts, int v, int off) {
    int x = Math.abs(v);
    if (x < 8) {
      counts[2 * (off + Tables.MVP_IS_SHORT)]++;
      // small_mvtree: {2, 8, 4, 6, -0, -1, -2, -3, 10, 12, -4, -5, -6, -7}, nodes at MVP_SHORT + i/2.
      int b2 = (x >> 2) & 1;
      int b1 = (x >> 1) & 1;
      int b0 = x & 1;
      counts[2 * (off + Tables.MVP_SHORT) + b2]++;
      counts[2 * (off + Tables.MVP_SHORT + (b2 == 0 ? 1 : 4)) + b1]++;
      counts[2 * (off + Tables.MVP_SHORT + (b2 == 0 ? (b1 == 0 ? 2 : 3) : (b1 == 0 ? 5 : 6))) + b0]++;
      if (x == 0) {
        return;
      }
    } else {
      counts[2 * (off + Tables.MVP_IS_SHORT) + 1]++;
      for (int i = 0; i < 3; i++) {
        counts[2 * (off + Tables.MVP_BITS + i) + ((x >> i) & 1)]++;
      }
      for (int i = Tables.MV_LONG_BITS - 1; i > 3; i--) {
        counts[2 * (off + Tables.MVP_BITS + i) + ((x >> i) & 1)]++;
      }
      if ((x & 0xFFF0) != 0) {
        counts[2 * (off + Tables.MVP_BITS + 3) + ((x >> 3) & 1)]++;
      }
    }
    counts[2 * (off + Tables.MVP_SIGN) + (v < 0 ? 1 : 0)]++;
  }

  /** Cost of a difference given directly in quarter pixels (both within -1023..1023). */
  int costQ(int drq, int dcq) {
    return row[drq + MAX] + col[dcq + MAX];
  }
}
