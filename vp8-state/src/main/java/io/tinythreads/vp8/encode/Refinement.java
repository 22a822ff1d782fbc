package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.Tables;

/**
 * Cheap rate-distortion refinements of a rebased macroblock (on the serial path, so each must cost
 * little): a macroblock whose residual costs more bits than the distortion it removes is worth is
 * coded as skipped (prediction only). Disabled, a rebase codes every residual as quantized.
 */
final class Refinement {
  private final FrameCoder c;
  private final boolean enabled;

  Refinement(FrameCoder c, boolean enabled) {
    this.c = c;
    this.enabled = enabled;
  }

  /**
   * May drop the whole residual of the coded macroblock when that lowers its rate-distortion cost
   * (not for B_PRED, whose later sub-blocks predict from the residual of earlier ones).
   */
  void residual(int mb, int mode, FrameCoder.Luma l, FrameCoder.Chroma ch) {
    if (!enabled || mode == Tables.B_PRED || (l.zero() && ch.zero())) {
      return;
    }
    double lam = c.lambda(mb) / 256.0;
    double coded = l.dist + ch.dist + lam * (c.skipCost(false) + l.rate + ch.rate);
    double skipped = c.predictionSse(mb, l, ch) + lam * c.skipCost(true);
    if (skipped < coded) {
      c.dropResidual(mb, l, ch);
    }
  }
}
