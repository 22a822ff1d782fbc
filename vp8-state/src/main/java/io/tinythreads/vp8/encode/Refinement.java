package io.tinythreads.vp8.encode;

/**
 * Cheap rate-distortion refinements of a rebased macroblock (on the serial path, so each must
 * cost little): dropping blocks whose coefficients cost more bits than the distortion they
 * remove is worth. Disabled, a rebase is ExCamera's plain one.
 */
class Refinement {
  final FrameCoder c;
  final boolean enabled;

  Refinement(FrameCoder c, boolean enabled) {
    this.c = c;
    this.enabled = enabled;
  }

  /** May replace the vector of an inter macroblock (re-coding {@code l} and {@code ch}); returns the vector used. */
  int inter(int mb, int ref, int mode, int mv, FrameCoder.Luma l, FrameCoder.Chroma ch, int boost) {
    return mv;
  }

  /** May drop coefficients of the coded macroblock where that lowers its rate-distortion cost. */
  void residual(int mb, FrameCoder.Luma l, FrameCoder.Chroma ch, int boost, Object unused) {
  }
}
