package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.ParsedFrame;
import io.tinythreads.vp8.header.Tables;

/**
 * Rebase of one frame (ExCamera's "update residues", alfalfa reencode.cc): every macroblock keeps
 * the original's prediction (intra modes, or reference frame and motion vectors) and gets a new
 * residual against the target from a prediction rebuilt on the new references, quantized at
 * the original quantizer.
 *
 * <p>Vectors are kept, not their coding: a whole-macroblock vector is coded as the cheapest of
 * ZEROMV, NEARESTMV, NEARMV and NEWMV that represents it against the new neighbourhood (the same
 * as the original when nothing around it changed), split vectors likewise per partition.
 */
final class Rebaser {
  private final FrameCoder c;
  private final FrameCoder.Luma l = new FrameCoder.Luma();
  private final FrameCoder.Chroma ch = new FrameCoder.Chroma();
  private final FrameCoder.Luma l2 = new FrameCoder.Luma();
  private final FrameCoder.Chroma ch2 = new FrameCoder.Chroma();
  private final int[] vecs = new int[16];
  private final int[] subRefs = new int[16];
  private final int[] partMvs = new int[16];
  private final Refinement refine;

  Rebaser(FrameCoder c, Refinement refine) {
    this.c = c;
    this.refine = refine;
  }

  /** Codes every macroblock of the frame begun in the coder with the modes of {@code p}. */
  void codeFrame(ParsedFrame p) {
    int mb = 0;
    for (int row = 0; row < c.mbRows; row++) {
      c.beginRow();
      for (int col = 0; col < c.mbCols; col++, mb++) {
        codeMacroblock(p, mb);
      }
      c.endRow(row);
    }
  }

  private void codeMacroblock(ParsedFrame p, int mb) {
    int ref = p.refFrame(mb);
    int mode = p.yMode(mb);
    if (ref == Tables.INTRA_FRAME) {
      if (mode == Tables.B_PRED) {
        for (int b = 0; b < 16; b++) {
          l.bModes[b] = p.bMode(mb, b);
        }
        c.codeBPred(mb, l, false, 0, c.trellisEnabled);
      } else {
        c.predictIntraLuma(mb, mode, l);
        c.codeLuma(mb, l, c.zbinBoost(mb, Tables.INTRA_FRAME, mode), c.trellisEnabled);
      }
      c.predictIntraChroma(mb, p.uvMode(mb), ch);
      c.codeChroma(mb, ch, c.zbinBoost(mb, Tables.INTRA_FRAME, mode), c.trellisEnabled);
      refine.residual(mb, mode, l, ch);
      c.commit(mb, Tables.INTRA_FRAME, mode, 0, l, ch, 0, null, null, null);
      return;
    }
    c.census.find(mb, c.mbCols, c.mbRows, ref, c.mbRef, c.mbMode, c.mbMv, c.header.signBiasGolden(),
        c.header.signBiasAlternate());
    if (mode == Tables.SPLITMV) {
      for (int b = 0; b < 16; b++) {
        vecs[b] = p.subMv(mb, b);
      }
      int part = p.partitioning(mb);
      if (splitRefs(mb, part)) {
        c.predictSplit(mb, ref, part, vecs, 0, l, ch);
        int boost = c.zbinBoost(mb, ref, Tables.SPLITMV);
        c.codeLuma(mb, l, boost, c.trellisEnabled);
        c.codeChroma(mb, ch, boost, c.trellisEnabled);
        refine.residual(mb, Tables.SPLITMV, l, ch);
        for (int j = 0; j < Tables.splitCount(part); j++) {
          if (subRefs[j] == Tables.NEW4X4) {
            c.countMv(partMvs[j], c.census.best);
          }
        }
        c.commit(mb, ref, Tables.SPLITMV, 0, l, ch, part, subRefs, partMvs, vecs);
        return;
      }
      // A partition vector the new neighbourhood cannot code (rare): fall back to a whole
      // macroblock vector, the one of the last sub-block.
      codeWhole(mb, ref, vecs[15]);
      return;
    }
    codeWhole(mb, ref, p.mv(mb));
  }

  /** Codes an inter macroblock with one vector, choosing its cheapest coding. */
  private void codeWhole(int mb, int ref, int mv) {
    MvCensus n = c.census;
    int mode = cheapestMode(n, mv);
    if (mode < 0) {
      // Not codable (a NEWMV difference beyond +-1023 quarter pixels from the new best
      // vector): use the nearest candidate instead.
      mv = n.nearest;
      mode = mv == 0 ? Tables.ZEROMV : Tables.NEARESTMV;
    }
    c.predictInter(mb, ref, mv, l, ch);
    int boost = c.zbinBoost(mb, ref, mode);
    c.codeLuma(mb, l, boost, c.trellisEnabled);
    c.codeChroma(mb, ch, boost, c.trellisEnabled);
    refine.residual(mb, mode, l, ch);
    if (mode == Tables.NEWMV) {
      c.countMv(mv, n.best);
    }
    c.commit(mb, ref, mode, mv, l, ch, 0, null, null, null);
  }

  /** The cheapest mode coding {@code mv} in the census's context, or -1. */
  int cheapestMode(MvCensus n, int mv) {
    int best = -1;
    long bestCost = Long.MAX_VALUE;
    if (mv == 0) {
      best = Tables.ZEROMV;
      bestCost = n.modeCost(Tables.ZEROMV);
    }
    if (mv == n.nearest && n.modeCost(Tables.NEARESTMV) < bestCost) {
      best = Tables.NEARESTMV;
      bestCost = n.modeCost(Tables.NEARESTMV);
    }
    if (mv == n.nearMv && n.modeCost(Tables.NEARMV) < bestCost) {
      best = Tables.NEARMV;
      bestCost = n.modeCost(Tables.NEARMV);
    }
    int mvc = c.mvCosts.cost(mv, n.best);
    if (mvc != Integer.MAX_VALUE && (long) n.modeCost(Tables.NEWMV) + mvc < bestCost) {
      best = Tables.NEWMV;
    }
    return best;
  }

  /**
   * Chooses the sub_mv_ref of every partition of a SPLITMV macroblock whose 16 block vectors are
   * in {@code vecs}: the cheapest of LEFT4X4, ABOVE4X4, ZERO4X4 and NEW4X4 that gives the
   * partition's vector (RFC 6386 section 16.4). False if some partition cannot be coded.
   */
  private boolean splitRefs(int mb, int part) {
    int mbCols = c.mbCols;
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    int n = Tables.splitCount(part);
    for (int j = 0; j < n; j++) {
      int k = 0;
      while (Tables.splitPartOf(part, k) != j) {
        k++;
      }
      int v = vecs[k];
      int leftMv = (k & 3) != 0 ? vecs[k - 1] : col > 0 ? c.blockMvs[(mb - 1) * 16 + k + 3] : 0;
      int aboveMv = k >= 4 ? vecs[k - 4] : row > 0 ? c.blockMvs[(mb - mbCols) * 16 + k + 12] : 0;
      int ctx = Tables.subMvContext(leftMv, aboveMv);
      int p0 = Tables.subMvRefProb(ctx, 0);
      int p1 = Tables.subMvRefProb(ctx, 1);
      int p2 = Tables.subMvRefProb(ctx, 2);
      int bestRef = -1;
      long bestCost = Long.MAX_VALUE;
      if (v == leftMv) {
        bestRef = Tables.LEFT4X4;
        bestCost = Costs.zero(p0);
      }
      long above = Costs.one(p0) + Costs.zero(p1);
      if (v == aboveMv && above < bestCost) {
        bestRef = Tables.ABOVE4X4;
        bestCost = above;
      }
      long zero = Costs.one(p0) + Costs.one(p1) + Costs.zero(p2);
      if (v == 0 && zero < bestCost) {
        bestRef = Tables.ZERO4X4;
        bestCost = zero;
      }
      int mvc = c.mvCosts.cost(v, c.census.best);
      if (mvc != Integer.MAX_VALUE && Costs.one(p0) + Costs.one(p1) + Costs.one(p2) + (long) mvc < bestCost) {
        bestRef = Tables.NEW4X4;
      }
      if (bestRef < 0) {
        return false;
      }
      subRefs[j] = bestRef;
      partMvs[j] = v;
    }
    return true;
  }
}
