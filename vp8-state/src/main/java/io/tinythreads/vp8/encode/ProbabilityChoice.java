package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.Tables;
import io.tinythreads.vp8.header.TokenProbUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses a frame's probabilities from what it actually codes (libvpx vp8/encoder/bitstream.c
 * and encodeframe.c): prob_skip_false, prob_intra, prob_last and prob_gf straight from the
 * macroblock counts, and a token probability update (RFC 6386 section 13.4) for every
 * probability whose count-optimal value saves more bits than its update costs.
 */
final class ProbabilityChoice {
  private ProbabilityChoice() {}

  /** Sets the macroblock-level probabilities of {@code h} from the committed macroblocks of {@code c}. */
  static void macroblockProbs(FrameCoder c, HeaderSpec h) {
    long intra = 0;
    long last = 0;
    long golden = 0;
    long alt = 0;
    long skipped = 0;
    for (int mb = 0; mb < c.mbs; mb++) {
      switch (c.mbRef[mb]) {
        case Tables.INTRA_FRAME -> intra++;
        case Tables.LAST_FRAME -> last++;
        case Tables.GOLDEN_FRAME -> golden++;
        default -> alt++;
      }
      if (c.mbZero[mb]) {
        skipped++;
      }
    }
    // The writer codes is_inter with prob_intra (0 = intra), ref != last with prob_last,
    // ref == altref with prob_gf, and mb_skip_coeff with prob_skip_false (0 = not skipped).
    h.probIntra = Costs.optimalProb(intra, last + golden + alt);
    h.probLast = Costs.optimalProb(last, golden + alt);
    h.probGf = Costs.optimalProb(golden, alt);
    h.mbNoCoeffSkip = true;
    h.probSkipFalse = Costs.optimalProb(c.mbs - skipped, skipped);
  }

  /**
   * The token probability update that minimizes the coded size of {@code counts} (zeros and ones
   * per probability, as counted by {@link Tokens#count}) starting from {@code old}: a
   * probability is updated when the bits it saves exceed the 8-bit value plus the change in the
   * cost of its update flag.
   */
  static TokenProbUpdate tokenUpdate(byte[] old, long[] counts) {
    int[] raw = new int[Tables.NUM_COEFF_PROBS];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = -1;
      long zeros = counts[2 * i];
      long ones = counts[2 * i + 1];
      if (zeros + ones == 0) {
        continue;
      }
      int p = old[i] & 0xFF;
      int np = Costs.optimalProb(zeros, ones);
      if (np == p) {
        continue;
      }
      int upd = Tables.coeffUpdateProb(i);
      long savings = Costs.branch(zeros, ones, p) - Costs.branch(zeros, ones, np)
          - (8 * 256 + Costs.one(upd) - Costs.zero(upd));
      if (savings > 0) {
        raw[i] = np;
      }
    }
    return TokenProbUpdate.of(raw);
  }

  /**
   * The motion vector probability update (RFC 6386 section 17.2) for the coded differences
   * {@code counts} against {@code old}: a probability is updated when the 7-bit value closest to
   * its count-optimal probability saves more than the value and the change in its flag's cost
   * (libvpx vp8_write_mvprobs).
   */
  static MvProbUpdate mvUpdate(byte[] old, long[] counts) {
    int[] raw = new int[MvProbUpdate.COUNT];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = -1;
      long zeros = counts[2 * i];
      long ones = counts[2 * i + 1];
      if (zeros + ones == 0) {
        continue;
      }
      int p = old[i] & 0xFF;
      // Representable probabilities are 1 and the even values 2..254.
      int np = Costs.optimalProb(zeros, ones) & ~1;
      if (np == 0) {
        np = 1;
      }
      if (np == p) {
        continue;
      }
      int upd = Tables.mvUpdateProb(i);
      long savings = Costs.branch(zeros, ones, p) - Costs.branch(zeros, ones, np)
          - (7 * 256 + Costs.one(upd) - Costs.zero(upd));
      if (savings > 0) {
        raw[i] = np >> 1;
      }
    }
    return MvProbUpdate.of(raw);
  }

  /**
   * New interframe mode probabilities (4 luma or 3 chroma, RFC 6386 section 16.1) when coding
   * them as 8-bit values pays for itself against {@code old}, else empty.
   */
  static Optional<List<Integer>> modeUpdate(byte[] old, long[] counts) {
    long oldCost = 0;
    long newCost = 8 * 256 * old.length;
    List<Integer> probs = new ArrayList<>(old.length);
    for (int i = 0; i < old.length; i++) {
      long zeros = counts[2 * i];
      long ones = counts[2 * i + 1];
      int np = Costs.optimalProb(zeros, ones);
      probs.add(np);
      oldCost += Costs.branch(zeros, ones, old[i] & 0xFF);
      newCost += Costs.branch(zeros, ones, np);
    }
    return newCost < oldCost ? Optional.of(probs) : Optional.empty();
  }
}
