package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.Tables;

/**
 * Full mode decision for encode-given-state (alfalfa encode_inter.cc / encode_intra.cc, libvpx
 * vp8_rd_pick_inter_mode in spirit): for each macroblock the rate-distortion cost of every
 * candidate is measured by actually coding it, and the cheapest is committed. Candidates: the
 * 16x16 intra modes, B_PRED (each sub-block's mode chosen by rate-distortion among the modes
 * with the best prediction), and against the LAST reference ZEROMV, NEARESTMV, NEARMV and
 * NEWMV with a motion search; the chroma mode of intra macroblocks by rate-distortion too.
 *
 * <p>Costs include every bit the macroblock will code: the skip flag, the reference and mode
 * trees, the vector and the tokens, with the probabilities the state starts the frame with.
 */
final class ModeDecision {
  private static final int[] INTRA16 = {Tables.DC_PRED, Tables.V_PRED, Tables.H_PRED, Tables.TM_PRED};

  private final FrameCoder c;
  private final MotionSearch search;
  private final FrameCoder.Luma cur = new FrameCoder.Luma();
  private final FrameCoder.Chroma curC = new FrameCoder.Chroma();
  private final FrameCoder.Luma best = new FrameCoder.Luma();
  private final FrameCoder.Chroma bestC = new FrameCoder.Chroma();
  private final FrameCoder.Luma bestIntraL = new FrameCoder.Luma();
  private final FrameCoder.Chroma bestIntraC = new FrameCoder.Chroma();
  private final int[] starts = new int[8];
  /** Inter and intra candidates coded fully after ranking by prediction error. */
  private static final int FULL_INTER = 2;
  private static final int FULL_INTRA = 2;
  private final int[] candMode = new int[4];
  private final int[] candMv = new int[4];
  private final int[] candRate = new int[4];
  private final double[] candKey = new double[4];
  private final byte[] predScratch = new byte[256];
  private final int[] intraOrder = new int[4];
  private final double[] intraKey = new double[4];
  /** Sub-block modes fully coded per B_PRED sub-block. */
  private final int bpredCandidates;
  private final boolean searchBPred;

  ModeDecision(FrameCoder c, int bpredCandidates, boolean searchBPred) {
    this.c = c;
    this.search = new MotionSearch(c);
    this.bpredCandidates = bpredCandidates;
    this.searchBPred = searchBPred;
  }

  void codeFrame() {
    int mb = 0;
    for (int row = 0; row < c.mbRows; row++) {
      c.beginRow();
      for (int col = 0; col < c.mbCols; col++, mb++) {
        decide(mb);
      }
      c.endRow(row);
    }
  }

  private void decide(int mb) {
    double lam = c.lambda(mb);
    int refCostIntra = Costs.zero(c.probIntra);
    int refCostLast = Costs.one(c.probIntra) + Costs.zero(c.probLast);

    // Inter against LAST.
    MvCensus n = c.census;
    n.find(mb, c.mbCols, c.mbRows, Tables.LAST_FRAME, c.mbRef, c.mbMode, c.mbMv, c.header.signBiasGolden(),
        c.header.signBiasAlternate());
    double bestJ = Double.MAX_VALUE;
    int bestRef = -1;
    int bestMode = -1;
    int bestMv = 0;
    // Candidate vectors: ZEROMV, NEARESTMV, NEARMV and the searched NEWMV, ranked by the luma
    // prediction error plus their mode and vector bits; the best two are coded to compare.
    int nc = 0;
    candMode[nc] = Tables.ZEROMV;
    candMv[nc++] = 0;
    if (n.nearest != 0) {
      candMode[nc] = Tables.NEARESTMV;
      candMv[nc++] = n.nearest;
    }
    if (n.nearMv != 0 && n.nearMv != n.nearest) {
      candMode[nc] = Tables.NEARMV;
      candMv[nc++] = n.nearMv;
    }
    int ns = 0;
    starts[ns++] = 0;
    starts[ns++] = n.nearest;
    starts[ns++] = n.nearMv;
    starts[ns++] = n.best;
    int col = mb % c.mbCols;
    if (col > 0 && c.mbRef[mb - 1] != Tables.INTRA_FRAME) {
      starts[ns++] = c.mbMv[mb - 1];
    }
    if (mb >= c.mbCols && c.mbRef[mb - c.mbCols] != Tables.INTRA_FRAME) {
      starts[ns++] = c.mbMv[mb - c.mbCols];
    }
    if (mb >= c.mbCols && col + 1 < c.mbCols && c.mbRef[mb - c.mbCols + 1] != Tables.INTRA_FRAME) {
      starts[ns++] = c.mbMv[mb - c.mbCols + 1];
    }
    int searched = search.search(mb, Tables.LAST_FRAME, starts, ns, n.best, lam);
    if (searched != 0 && searched != n.nearest && searched != n.nearMv
        && c.mvCosts.cost(searched, n.best) != Integer.MAX_VALUE) {
      candMode[nc] = Tables.NEWMV;
      candMv[nc++] = searched;
    }
    for (int i = 0; i < nc; i++) {
      candRate[i] = refCostLast + n.modeCost(candMode[i])
          + (candMode[i] == Tables.NEWMV ? c.mvCosts.cost(candMv[i], n.best) : 0);
      c.predictLumaOnly(mb, Tables.LAST_FRAME, candMv[i], predScratch);
      candKey[i] = c.lumaSse(mb, predScratch) + lam * candRate[i] / 256.0;
    }
    for (int k = 0; k < Math.min(nc, FULL_INTER); k++) {
      int bi = k;
      for (int i = k + 1; i < nc; i++) {
        if (candKey[i] < candKey[bi]) {
          bi = i;
        }
      }
      swap(k, bi);
      double j = evalInter(mb, candMv[k], candMode[k], candRate[k], lam);
      if (j < bestJ) {
        bestJ = j;
        bestRef = Tables.LAST_FRAME;
        bestMode = candMode[k];
        bestMv = candMv[k];
        keepCurrent();
      }
    }

    // Intra: best 16x16 luma mode, then B_PRED, then the chroma mode.
    double bestLumaJ = Double.MAX_VALUE;
    int[] lumaModes = rankIntra(mb, lam, true);
    for (int k = 0; k < FULL_INTRA; k++) {
      int m = lumaModes[k];
      c.predictIntraLuma(mb, m, cur);
      c.codeLuma(mb, cur, c.zbinBoost(mb, Tables.INTRA_FRAME, m), false);
      double j = lam * (cur.rate + c.yModeCost[m]) / 256.0 + cur.dist;
      if (j < bestLumaJ) {
        bestLumaJ = j;
        bestIntraL.copyFrom(cur);
      }
    }
    // Only worth trying when intra is at least close to the best inter candidate.
    if (searchBPred && bestLumaJ < 1.5 * bestJ) {
      c.codeBPred(mb, cur, true, bpredCandidates, false);
      double j = lam * (cur.rate + cur.modeRate + c.yModeCost[Tables.B_PRED]) / 256.0 + cur.dist;
      if (j < bestLumaJ) {
        bestLumaJ = j;
        bestIntraL.copyFrom(cur);
      }
    }
    double bestChromaJ = Double.MAX_VALUE;
    if (bestLumaJ < bestJ) {
      int[] chromaModes = rankIntra(mb, lam, false);
      for (int k = 0; k < FULL_INTRA; k++) {
        int m = chromaModes[k];
        c.predictIntraChroma(mb, m, curC);
        c.codeChroma(mb, curC, c.zbinBoost(mb, Tables.INTRA_FRAME, m), false);
        double j = lam * (curC.rate + c.uvModeCost[m]) / 256.0 + curC.dist;
        if (j < bestChromaJ) {
          bestChromaJ = j;
          bestIntraC.copyFrom(curC);
        }
      }
      FrameCoder.Luma il = bestIntraL;
      FrameCoder.Chroma ic = bestIntraC;
      long rate = refCostIntra + c.yModeCost[il.mode] + il.modeRate + c.uvModeCost[ic.mode] + tokensAndSkip(il, ic);
      double j = il.dist + ic.dist + lam * rate / 256.0;
      if (j < bestJ) {
        bestJ = j;
        bestRef = Tables.INTRA_FRAME;
        bestMode = il.mode;
        best.copyFrom(il);
        bestC.copyFrom(ic);
      }
    }
    if (c.trellisEnabled && !(best.zero() && bestC.zero())) {
      // Candidates were compared with plain rounding; the winner is coded with the trellis.
      if (bestRef == Tables.INTRA_FRAME) {
        if (bestMode == Tables.B_PRED) {
          c.codeBPred(mb, best, false, 0, true);
        } else {
          c.predictIntraLuma(mb, bestMode, best);
          c.codeLuma(mb, best, c.zbinBoost(mb, Tables.INTRA_FRAME, bestMode), true);
        }
        c.predictIntraChroma(mb, bestC.mode, bestC);
        c.codeChroma(mb, bestC, c.zbinBoost(mb, Tables.INTRA_FRAME, bestMode), true);
      } else {
        c.predictInter(mb, bestRef, bestMv, best, bestC);
        int boost = c.zbinBoost(mb, bestRef, bestMode);
        c.codeLuma(mb, best, boost, true);
        c.codeChroma(mb, bestC, boost, true);
        best.mode = bestMode;
      }
    }
    if (bestMode == Tables.NEWMV) {
      c.countMv(bestMv, n.best);
    }
    c.commit(mb, bestRef, bestMode, bestMv, best, bestC, 0, null, null, null);
  }

  /** Token rate plus skip flag, with an all-zero macroblock coded as skipped. */
  private long tokensAndSkip(FrameCoder.Luma l, FrameCoder.Chroma ch) {
    if (l.zero() && ch.zero()) {
      return c.skipCost(true);
    }
    return c.skipCost(false) + l.rate + ch.rate;
  }

  private double evalInter(int mb, int mv, int mode, long modeRate, double lam) {
    c.predictInter(mb, Tables.LAST_FRAME, mv, cur, curC);
    int boost = c.zbinBoost(mb, Tables.LAST_FRAME, mode);
    c.codeLuma(mb, cur, boost, false);
    c.codeChroma(mb, curC, boost, false);
    cur.mode = mode;
    long rate = modeRate + tokensAndSkip(cur, curC);
    double j = cur.dist + curC.dist + lam * rate / 256.0;
    if (!(cur.zero() && curC.zero())) {
      // The same prediction with no residual at all (coded as skipped).
      double skip = c.predictionSse(mb, cur, curC) + lam * (modeRate + c.skipCost(true)) / 256.0;
      if (skip < j) {
        c.dropResidual(mb, cur, curC);
        return skip;
      }
    }
    return j;
  }

  private void keepCurrent() {
    best.copyFrom(cur);
    bestC.copyFrom(curC);
  }

  private void swap(int a, int b) {
    int t = candMode[a];
    candMode[a] = candMode[b];
    candMode[b] = t;
    t = candMv[a];
    candMv[a] = candMv[b];
    candMv[b] = t;
    t = candRate[a];
    candRate[a] = candRate[b];
    candRate[b] = t;
    double d = candKey[a];
    candKey[a] = candKey[b];
    candKey[b] = d;
  }

  /** The four 16x16 (or chroma) intra modes ordered by prediction error plus mode bits. */
  private int[] rankIntra(int mb, double lam, boolean luma) {
    for (int k = 0; k < 4; k++) {
      int m = INTRA16[k];
      double sse;
      int rate;
      if (luma) {
        c.predictIntraLuma(mb, m, cur);
        sse = c.lumaSse(mb, cur.rec);
        rate = c.yModeCost[m];
      } else {
        c.predictIntraChroma(mb, m, curC);
        sse = c.chromaSse(mb, curC.recU, curC.recV);
        rate = c.uvModeCost[m];
      }
      intraOrder[k] = m;
      intraKey[k] = sse + lam * rate / 256.0;
    }
    for (int i = 1; i < 4; i++) {
      int o = intraOrder[i];
      double key = intraKey[i];
      int j = i - 1;
      while (j >= 0 && intraKey[j] > key) {
        intraOrder[j + 1] = intraOrder[j];
        intraKey[j + 1] = intraKey[j];
        j--;
      }
      intraOrder[j + 1] = o;
      intraKey[j + 1] = key;
    }
    return intraOrder;
  }
}
