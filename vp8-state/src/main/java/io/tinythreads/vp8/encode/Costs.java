package io.tinythreads.vp8.encode;

/**
 * Bit costs of bool-coded decisions, in 1/256 bit (libvpx's vp8_prob_cost units, RFC 6386
 * section 7): coding a 0 at probability {@code p}/256 costs {@code -log2(p/256)} bits, a 1 costs
 * {@code -log2(1 - p/256)}. Computed with {@link StrictMath} so every JVM gets the same table
 * (encoder decisions, and so the output bytes, depend on it).
 */
final class Costs {
  /** COST[p] = cost of a 0 at probability p (p = 0 is treated as 1, as a coder never codes it). */
  private static final int[] COST = new int[257];

  static {
    for (int p = 0; p <= 256; p++) {
      double prob = Math.max(p, 1) / 256.0;
      COST[p] = (int) Math.min(2047, StrictMath.round(-256.0 * StrictMath.log(prob) / StrictMath.log(2.0)));
    }
  }

  private Costs() {}

  /** Cost of coding {@code bit} with probability {@code prob} (of a 0), 0..255. */
  static int bool(int prob, boolean bit) {
    return bit ? COST[256 - prob] : COST[prob];
  }

  /** Cost of a 0 at {@code prob}. */
  static int zero(int prob) {
    return COST[prob];
  }

  /** Cost of a 1 at {@code prob}. */
  static int one(int prob) {
    return COST[256 - prob];
  }

  /**
   * Cost of leaf {@code value} of a tree in RFC 6386 section 8.1 layout with node probabilities
   * {@code probs[off + i/2]}; -1 if the value is not a leaf.
   */
  static int tree(int[] tree, byte[] probs, int off, int value) {
    return walk(tree, probs, off, value, 0);
  }

  private static int walk(int[] tree, byte[] probs, int off, int value, int i) {
    for (int b = 0; b < 2; b++) {
      int next = tree[i + b];
      int c = bool(probs[off + (i >> 1)] & 0xFF, b != 0);
      if (next <= 0) {
        if (-next == value) {
          return c;
        }
      } else {
        int r = walk(tree, probs, off, value, next);
        if (r >= 0) {
          return c + r;
        }
      }
    }
    return -1;
  }

  /**
   * The probability (of a 0) that codes {@code zeros} zeros and {@code ones} ones most cheaply,
   * clamped to 1..255 (libvpx get_binary_prob); 128 when there is nothing to code.
   */
  static int optimalProb(long zeros, long ones) {
    long total = zeros + ones;
    if (total == 0) {
      return 128;
    }
    long p = (zeros * 256 + (total >> 1)) / total;
    return (int) Math.max(1, Math.min(255, p));
  }

  /** Total cost of {@code zeros} zeros and {@code ones} ones at probability {@code prob}. */
  static long branch(long zeros, long ones, int prob) {
    return zeros * zero(prob) + ones * one(prob);
  }
}
