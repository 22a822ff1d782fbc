package io.tinythreads.vp8.encode;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;

import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.FrameBuilder;
import io.tinythreads.vp8.MutableRaster;
import io.tinythreads.vp8.MvBorder;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.InterPredict;
import io.tinythreads.vp8.dsp.IntraPredict;
import io.tinythreads.vp8.dsp.LoopFilter;
import io.tinythreads.vp8.dsp.Metrics;
import io.tinythreads.vp8.dsp.Transform;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;

/**
 * Codes the macroblocks of one interframe: prediction (intra from the frame being built, inter
 * from the references), residual against the {@link Source}, forward transform, libvpx's
 * quantizer, and the reconstruction exactly as the decoder will compute it (RFC 6386 sections
 * 12, 14, 18; libvpx vp8/encoder/encodemb.c, encodeintra.c and the decoder's decodeframe.c edge
 * rules). Mode decisions are made by callers ({@link ModeDecision}, {@link Rebaser}) through
 * the evaluate/commit primitives here; the coded frame is a {@link FrameBuilder}.
 *
 * <p>The frame under construction lives in planes with the decoder's layout and intra edges (127
 * above the frame, 129 to its left, each macroblock row's last pixel row extended 4 pixels right),
 * unfiltered, because intra prediction reads unfiltered pixels. The loop filter is applied only
 * when searching the filter level; the decoder, run on the written frame, produces the final
 * references.
 *
 * <p>Rates are in 1/256 bit; distortion is the sum of squared differences against the source.
 * One instance per frame size; it reuses all buffers and allocates nothing per macroblock. Not
 * thread-safe.
 */
final class FrameCoder {
  /** The luma part of a macroblock candidate: prediction/reconstruction and coefficients. */
  static final class Luma {
    int mode;
    final int[] bModes = new int[16];
    /** Reconstruction (the prediction until coded), 16x16, stride 16. */
    final byte[] rec = new byte[256];
    /** The prediction, kept when coded (not for B_PRED, whose prediction depends on its residual). */
    final byte[] pred = new byte[256];
    /** Intra prediction (libvpx weighs rate less for intra blocks when optimizing). */
    boolean intra;
    /** 16 blocks of 16 coefficients, then the Y2 block at 256. */
    final short[] q = new short[272];
    /** Writer end-of-block positions: 16 luma blocks, then Y2 at 16. */
    final int[] eob = new int[17];
    boolean hasY2;
    /** Token rate. */
    int rate;
    /** B_PRED: the sub-block mode costs (0 otherwise). */
    int modeRate;
    long dist;

    boolean zero() {
      for (int i = 0; i < 16; i++) {
        if (eob[i] != 0) {
          return false;
        }
      }
      return !hasY2 || eob[16] == 0;
    }

    void copyFrom(Luma o) {
      mode = o.mode;
      System.arraycopy(o.bModes, 0, bModes, 0, 16);
      System.arraycopy(o.rec, 0, rec, 0, 256);
      System.arraycopy(o.pred, 0, pred, 0, 256);
      intra = o.intra;
      System.arraycopy(o.q, 0, q, 0, 272);
      System.arraycopy(o.eob, 0, eob, 0, 17);
      hasY2 = o.hasY2;
      rate = o.rate;
      modeRate = o.modeRate;
      dist = o.dist;
    }
  }

  /** The chroma part of a macroblock candidate. */
  static final class Chroma {
    int mode;
    final byte[] recU = new byte[64];
    final byte[] recV = new byte[64];
    final byte[] predU = new byte[64];
    final byte[] predV = new byte[64];
    boolean intra;
    /** U blocks 0..3 then V blocks 4..7, 16 coefficients each. */
    final short[] q = new short[128];
    final int[] eob = new int[8];
    int rate;
    long dist;

    boolean zero() {
      for (int e : eob) {
        if (e != 0) {
          return false;
        }
      }
      return true;
    }

    void copyFrom(Chroma o) {
      mode = o.mode;
      System.arraycopy(o.recU, 0, recU, 0, 64);
      System.arraycopy(o.recV, 0, recV, 0, 64);
      System.arraycopy(o.predU, 0, predU, 0, 64);
      System.arraycopy(o.predV, 0, predV, 0, 64);
      intra = o.intra;
      System.arraycopy(o.q, 0, q, 0, 128);
      System.arraycopy(o.eob, 0, eob, 0, 8);
      rate = o.rate;
      dist = o.dist;
    }
  }

  private static final int[] YMODE_TREE = Tables.yModeTree();
  private static final int[] UV_TREE = Tables.uvModeTree();
  private static final int[] BMODE_TREE = Tables.bModeTree();
  /** Interframe sub-block mode costs (fixed probabilities, RFC 6386 section 16.2). */
  static final int[] BMODE_COST = new int[10];

  static {
    byte[] p = Tables.bModeProbs();
    for (int m = 0; m < 10; m++) {
      BMODE_COST[m] = Costs.tree(BMODE_TREE, p, 0, m);
    }
  }

  final int width;
  final int height;
  final int mbCols;
  final int mbRows;
  final int mbs;
  // The frame under construction (MutableRaster layout).
  final int ys;
  final int uvs;
  final int yOrg;
  final int uvOrg;
  final byte[] fy;
  final byte[] fu;
  final byte[] fv;

  private final InterPredict inter = new InterPredict();
  final MvCosts mvCosts = new MvCosts();
  final MvCensus census = new MvCensus();

  // Per frame.
  Source src;
  DecoderSnapshot before;
  FrameHeader header;
  FrameBuilder fb;
  InForce inForce;
  boolean bilinear;
  int fullPixelMask;
  final Quantizer[] quant = new Quantizer[4];
  /** Lagrange multiplier per segment: distortion (SSE) per bit. */
  final double[] lambda = new double[4];
  /** Per macroblock: the segment's multiplier scaled by activity masking (tune=ssim). */
  final double[] mbLambda;
  /** Per macroblock: libvpx act_zbin_adj, the dead-zone adjustment of activity masking (1/128 step). */
  final int[] actZbinAdj;
  /** libvpx --tune=ssim: activity masking of the multiplier and the dead zone. */
  boolean tuneSsim = true;
  byte[] coeffProbs;
  /** Token costs of {@link #coeffProbs} ({@link Tokens#costTable}). */
  final int[] tokenCosts = new int[Tables.NUM_COEFF_PROBS / 11 * Tokens.GROUP];
  final int[] yModeCost = new int[5];
  final int[] uvModeCost = new int[4];
  /** Estimates of the frame's prob_intra, prob_last, prob_gf and prob_skip_false, for costs. */
  int probIntra = 128;
  int probLast = 128;
  int probGf = 128;
  int probSkip = 128;
  /** Whether to widen the dead zone of inter macroblocks as libvpx's zbin_mode_boost does. */
  boolean zbinModeBoost = true;
  /** Whether final coding re-rounds coefficients with the trellis. */
  boolean trellisEnabled = true;

  // Per macroblock, mirrors of what was committed (the census and the loop filter read them).
  final byte[] mbRef;
  final byte[] mbMode;
  final int[] mbMv;
  final byte[] mbSeg;
  final boolean[] mbZero;
  final int[] mbPart;
  /** Per macroblock x 16: the luma sub-block vectors of committed inter macroblocks. */
  final int[] blockMvs;

  // Token contexts as the writer will see them: 9 per macroblock column (4 Y, 2 U, 2 V, Y2), 9 left.
  final byte[] aboveCtx;
  final byte[] leftCtx = new byte[9];

  // Scratch.
  private final short[] diff = new short[256];
  private final short[] coef = new short[400];
  private final short[] dcs = new short[16];
  private final short[] blk = new short[16];
  private final short[] y2in = new short[16];
  private final short[] y2out = new short[256];
  private final short[] q4 = new short[16];
  private final short[] bestQ4 = new short[16];
  private final byte[] rec4 = new byte[16];
  private final byte[] lfY;
  private final byte[] lfU;
  private final byte[] lfV;
  private final byte[] lfLevel;
  private final boolean[] lfInner;
  private final int[] sadOrder = new int[10];
  private final short[] block16 = new short[16];
  private final Trellis trellis = new Trellis();
  private final int[] actx = new int[4];
  private final int[] lctx = new int[4];
  /** Counts of every token bool the writer will code ([2i] zeros, [2i+1] ones of probability i). */
  final long[] tokenCounts = new long[2 * Tables.NUM_COEFF_PROBS];
  /** Likewise for the motion vector probabilities, and the intra luma and chroma mode trees. */
  final long[] mvCounts = new long[4 * Tables.MV_PROBS_PER_COMPONENT];
  final long[] yModeCounts = new long[8];
  final long[] uvModeCounts = new long[6];
  private final int[] sadKey = new int[10];

  FrameCoder(int width, int height) {
    this.width = width;
    this.height = height;
    this.mbCols = (width + 15) >> 4;
    this.mbRows = (height + 15) >> 4;
    this.mbs = mbCols * mbRows;
    MutableRaster m = new MutableRaster(width, height);
    this.ys = m.yStride();
    this.uvs = m.uvStride();
    this.yOrg = m.yOrigin();
    this.uvOrg = m.uvOrigin();
    this.fy = new byte[m.yPlane().length];
    this.fu = new byte[m.uPlane().length];
    this.fv = new byte[m.vPlane().length];
    this.lfY = new byte[fy.length];
    this.lfU = new byte[fu.length];
    this.lfV = new byte[fv.length];
    this.lfLevel = new byte[mbs];
    this.lfInner = new boolean[mbs];
    mbLambda = new double[mbs];
    actZbinAdj = new int[mbs];
    mbRef = new byte[mbs];
    mbMode = new byte[mbs];
    mbMv = new int[mbs];
    mbSeg = new byte[mbs];
    mbZero = new boolean[mbs];
    mbPart = new int[mbs];
    blockMvs = new int[mbs * 16];
    aboveCtx = new byte[mbCols * 9];
  }

  /**
   * Starts a frame: {@code header} is the interframe header as planned (quantizer, segmentation,
   * loop filter, references; probability fields are placeholders), {@code before} the state and
   * references it is decoded against, {@code segmentIds} the segment of every macroblock (null
   * for all 0).
   */
  void begin(DecoderSnapshot before, FrameHeader header, Source src, byte[] segmentIds) {
    if (src.width != width || src.height != height) {
      throw new IllegalArgumentException("source is " + src.width + "x" + src.height + ", frame is " + width + "x"
          + height);
    }
    this.before = before;
    this.header = header;
    this.src = src;
    this.fb = FrameBuilder.create(header, before.state());
    this.inForce = new InForce(before.state(), header);
    this.bilinear = header.tag().bilinear();
    this.fullPixelMask = header.tag().fullPixel() ? ~7 : ~0;
    for (int s = 0; s < 4; s++) {
      quant[s] = new Quantizer(inForce.qIndex(header.quantIndices().yAcQi(), s), header.quantIndices());
      // libvpx vp8_initialize_rd_consts: RDMULT = 2.8 q^2 (q = the luma DC step) divided by
      // RDDIV = 100, with rates in 1/256 bit and distortion as pixel SSE: 0.028 q^2 SSE per bit.
      int qdc = Tables.dcQ(quant[s].qIndex());
      lambda[s] = 0.028 * qdc * qdc;
    }
    coeffProbs = fb.coeffProbs();
    Tokens.costTable(coeffProbs, tokenCosts);
    byte[] ymp = fb.yModeProbs();
    byte[] uvp = fb.uvModeProbs();
    for (int m = 0; m < 5; m++) {
      yModeCost[m] = Costs.tree(YMODE_TREE, ymp, 0, m);
    }
    for (int m = 0; m < 4; m++) {
      uvModeCost[m] = Costs.tree(UV_TREE, uvp, 0, m);
    }
    mvCosts.update(fb.mvProbs());
    if (segmentIds != null) {
      System.arraycopy(segmentIds, 0, mbSeg, 0, mbs);
      for (int mb = 0; mb < mbs; mb++) {
        fb.segmentId(mb, mbSeg[mb]);
      }
    } else {
      Arrays.fill(mbSeg, (byte) 0);
    }
    Arrays.fill(mbRef, (byte) 0);
    Arrays.fill(mbMode, (byte) 0);
    Arrays.fill(mbMv, 0);
    Arrays.fill(mbZero, false);
    Arrays.fill(blockMvs, 0);
    Arrays.fill(aboveCtx, (byte) 0);
    Arrays.fill(tokenCounts, 0);
    Arrays.fill(mvCounts, 0);
    Arrays.fill(yModeCounts, 0);
    Arrays.fill(uvModeCounts, 0);
    setupIntraEdges();
    activityMasking();
  }

  /**
   * libvpx's activity masking for --tune=ssim (vp8/encoder/encodeframe.c vp8_activity_masking,
   * adjust_act_zbin, with ALT_ACT_MEASURE's fixed average of 100000): busy macroblocks, where
   * SSIM hides errors, get up to twice the rate-distortion multiplier and a wider dead zone; flat
   * ones down to half and a narrower one. libvpx measures activity as the energy of the DC-predicted
   * residual; here it is the energy of the source macroblock around its own mean (the same
   * quantity without the dependency on neighbouring reconstructions).
   */
  private void activityMasking() {
    long avg = 100000;
    for (int mb = 0; mb < mbs; mb++) {
      double base = lambda[mbSeg[mb]];
      if (!tuneSsim) {
        mbLambda[mb] = base;
        actZbinAdj[mb] = 0;
        continue;
      }
      int so = srcYOff(mb);
      long sum = 0;
      long sq = 0;
      for (int r = 0; r < 16; r++) {
        int p = so + r * src.yStride;
        for (int c = 0; c < 16; c++) {
          int v = src.y[p + c] & 0xFF;
          sum += v;
          sq += v * v;
        }
      }
      long act = Math.max(1000, sq - (sum * sum >> 8));
      long a = act + 2 * avg;
      long b = 2 * act + avg;
      mbLambda[mb] = base * b / a;
      a = act + 4 * avg;
      b = 4 * act + avg;
      actZbinAdj[mb] = act > avg ? (int) ((b + (a >> 1)) / a) - 1 : 1 - (int) ((a + (b >> 1)) / b);
    }
  }

  /** The decoder's intra edges (Reconstructor.setupIntraEdges): 127 above, 129 left. */
  private void setupIntraEdges() {
    int aw = mbCols * 16;
    int ah = mbRows * 16;
    int above = yOrg - ys - 1;
    Arrays.fill(fy, above, above + aw + 5, (byte) 127);
    for (int r = 0; r < ah; r++) {
      fy[yOrg + r * ys - 1] = (byte) 129;
    }
    int uvAbove = uvOrg - uvs - 1;
    Arrays.fill(fu, uvAbove, uvAbove + aw / 2 + 5, (byte) 127);
    Arrays.fill(fv, uvAbove, uvAbove + aw / 2 + 5, (byte) 127);
    for (int r = 0; r < ah / 2; r++) {
      fu[uvOrg + r * uvs - 1] = (byte) 129;
      fv[uvOrg + r * uvs - 1] = (byte) 129;
    }
  }

  /** Call at the start of each macroblock row. */
  void beginRow() {
    Arrays.fill(leftCtx, (byte) 0);
  }

  /** Call after the last macroblock of row {@code row}: libvpx vp8_extend_mb_row's 4 pixels. */
  void endRow(int row) {
    int last = yOrg + (row * 16 + 15) * ys + mbCols * 16;
    byte px = fy[last - 1];
    fy[last] = px;
    fy[last + 1] = px;
    fy[last + 2] = px;
    fy[last + 3] = px;
  }

  int yOff(int mb) {
    int row = mb / mbCols;
    return yOrg + row * 16 * ys + (mb - row * mbCols) * 16;
  }

  int uvOff(int mb) {
    int row = mb / mbCols;
    return uvOrg + row * 8 * uvs + (mb - row * mbCols) * 8;
  }

  int srcYOff(int mb) {
    int row = mb / mbCols;
    return row * 16 * src.yStride + (mb - row * mbCols) * 16;
  }

  int srcUvOff(int mb) {
    int row = mb / mbCols;
    return row * 8 * src.uvStride + (mb - row * mbCols) * 8;
  }

  double lambda(int mb) {
    return mbLambda[mb];
  }

  // ------------------------------------------------------------------ prediction

  /** Predicts a 16x16 intra luma mode into {@code l.rec} (in place in the frame, then copied). */
  void predictIntraLuma(int mb, int mode, Luma l) {
    int off = yOff(mb);
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    IntraPredict.predictLuma16(mode, fy, off, ys, row > 0, col > 0);
    for (int r = 0; r < 16; r++) {
      System.arraycopy(fy, off + r * ys, l.rec, r * 16, 16);
    }
    l.mode = mode;
    l.hasY2 = true;
    l.modeRate = 0;
    l.intra = true;
  }

  /** Predicts an intra chroma mode into {@code c}. */
  void predictIntraChroma(int mb, int mode, Chroma c) {
    int off = uvOff(mb);
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    IntraPredict.predictChroma8(mode, fu, off, uvs, row > 0, col > 0);
    IntraPredict.predictChroma8(mode, fv, off, uvs, row > 0, col > 0);
    for (int r = 0; r < 8; r++) {
      System.arraycopy(fu, off + r * uvs, c.recU, r * 8, 8);
      System.arraycopy(fv, off + r * uvs, c.recV, r * 8, 8);
    }
    c.mode = mode;
    c.intra = true;
  }

  /**
   * Predicts a whole-macroblock inter vector (ZEROMV, NEARESTMV, NEARMV, NEWMV) from reference
   * {@code ref} into {@code l} and {@code c}, as the decoder does (Reconstructor.predictInter):
   * with the decoder's clamping when it will clamp, chroma from the luma vector halved away from
   * zero.
   */
  void predictInter(int mb, int ref, int mv, Luma l, Chroma c) {
    Raster r = before.references().get(ref);
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    int toLeft = -(col * 16) << 3;
    int toRight = ((mbCols - 1 - col) * 16) << 3;
    int toTop = -(row * 16) << 3;
    int toBottom = ((mbRows - 1 - row) * 16) << 3;
    int mr = mvRow(mv);
    int mc = mvCol(mv);
    if (needsClamp(mr, mc, toLeft, toRight, toTop, toBottom)) {
      mc = MvBorder.clamp(mc, toLeft, toRight);
      mr = MvBorder.clamp(mr, toTop, toBottom);
    }
    Raster.Plane py = r.yPlane();
    predictBlock(py, col * 16, row * 16, mc, mr, 16, 16, l.rec, 0, 16);
    l.hasY2 = true;
    l.modeRate = 0;
    l.intra = false;
    if (c == null) {
      return;
    }
    c.intra = false;
    int cr = (mr + (1 | (mr >> 31))) / 2 & fullPixelMask;
    int cc = (mc + (1 | (mc >> 31))) / 2 & fullPixelMask;
    if (2 * cc < toLeft - (19 << 3) || 2 * cc > toRight + (18 << 3)
        || 2 * cr < toTop - (19 << 3) || 2 * cr > toBottom + (18 << 3)) {
      throw new IllegalStateException("chroma vector outside the border at mb " + mb);
    }
    predictBlock(r.uPlane(), col * 8, row * 8, cc, cr, 8, 8, c.recU, 0, 8);
    predictBlock(r.vPlane(), col * 8, row * 8, cc, cr, 8, 8, c.recV, 0, 8);
  }

  /** Predicts only the 16x16 luma of an inter vector (for motion search), into {@code dst} (stride 16). */
  void predictLumaOnly(int mb, int ref, int mv, byte[] dst) {
    Raster r = before.references().get(ref);
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    predictBlock(r.yPlane(), col * 16, row * 16, mvCol(mv), mvRow(mv), 16, 16, dst, 0, 16);
  }

  /**
   * Predicts a SPLITMV macroblock (16 sub-block vectors, packed) as the decoder does: 8x8
   * partitions unless 4x4, chroma 4x4 blocks from the rounded average of 4 luma vectors.
   */
  void predictSplit(int mb, int ref, int partitioning, int[] vecs, int vecOff, Luma l, Chroma c) {
    Raster r = before.references().get(ref);
    int row = mb / mbCols;
    int col = mb - row * mbCols;
    int toLeft = -(col * 16) << 3;
    int toRight = ((mbCols - 1 - col) * 16) << 3;
    int toTop = -(row * 16) << 3;
    int toBottom = ((mbRows - 1 - row) * 16) << 3;
    boolean clamp = false;
    for (int b = 0; b < 16; b++) {
      int v = vecs[vecOff + b];
      clamp |= needsClamp(mvRow(v), mvCol(v), toLeft, toRight, toTop, toBottom);
    }
    Raster.Plane py = r.yPlane();
    int x0 = col * 16;
    int y0 = row * 16;
    if (partitioning < Tables.SPLIT_4X4) {
      for (int q = 0; q < 4; q++) {
        int b = (q >> 1) * 8 + (q & 1) * 2;
        int v = vecs[vecOff + b];
        int mr = mvRow(v);
        int mc = mvCol(v);
        if (clamp) {
          mc = MvBorder.clamp(mc, toLeft, toRight);
          mr = MvBorder.clamp(mr, toTop, toBottom);
        }
        int bx = (b & 3) * 4;
        int by = (b >> 2) * 4;
        predictBlock(py, x0 + bx, y0 + by, mc, mr, 8, 8, l.rec, by * 16 + bx, 16);
      }
    } else {
      for (int b = 0; b < 16; b++) {
        int v = vecs[vecOff + b];
        int mr = mvRow(v);
        int mc = mvCol(v);
        if (clamp) {
          mc = MvBorder.clamp(mc, toLeft, toRight);
          mr = MvBorder.clamp(mr, toTop, toBottom);
        }
        int bx = (b & 3) * 4;
        int by = (b >> 2) * 4;
        predictBlock(py, x0 + bx, y0 + by, mc, mr, 4, 4, l.rec, by * 16 + bx, 16);
      }
    }
    l.hasY2 = false;
    l.modeRate = 0;
    l.intra = false;
    c.intra = false;
    Raster.Plane pu = r.uPlane();
    Raster.Plane pv = r.vPlane();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        int b = vecOff + i * 8 + j * 2;
        int sr = mvRow(vecs[b]) + mvRow(vecs[b + 1]) + mvRow(vecs[b + 4]) + mvRow(vecs[b + 5]);
        int sc = mvCol(vecs[b]) + mvCol(vecs[b + 1]) + mvCol(vecs[b + 4]) + mvCol(vecs[b + 5]);
        sr += 4 + ((sr >> 31) * 8);
        sc += 4 + ((sc >> 31) * 8);
        int mr = (short) ((sr / 8) & fullPixelMask);
        int mc = (short) ((sc / 8) & fullPixelMask);
        if (clamp) {
          mc = MvBorder.clampUv(mc, toLeft, toRight);
          mr = MvBorder.clampUv(mr, toTop, toBottom);
        }
        int cx = x0 / 2 + j * 4;
        int cy = y0 / 2 + i * 4;
        predictBlock(pu, cx, cy, mc, mr, 4, 4, c.recU, i * 32 + j * 4, 8);
        predictBlock(pv, cx, cy, mc, mr, 4, 4, c.recV, i * 32 + j * 4, 8);
      }
    }
  }

  private static boolean needsClamp(int r, int c, int toLeft, int toRight, int toTop, int toBottom) {
    return c < toLeft - 128 || c > toRight + 128 || r < toTop - 128 || r > toBottom + 128;
  }

  /** Reconstructor.predictBlock: sub-pixel prediction with vectors pulled inside the border. */
  private void predictBlock(Raster.Plane p, int x, int y, int mvx, int mvy, int w, int h, byte[] dst, int dstOff,
      int dstStride) {
    int aw = p.alignedWidth();
    int ah = p.alignedHeight();
    int border = p.border();
    int px = x + (mvx >> 3);
    int py = y + (mvy >> 3);
    int minPos = -border + 2;
    if (px < minPos || px > aw + border - w - 3 || py < minPos || py > ah + border - h - 3) {
      px = Math.max(minPos, Math.min(px, aw + border - w - 3));
      py = Math.max(minPos, Math.min(py, ah + border - h - 3));
    }
    inter.predict(p.data(), p.origin() + py * p.stride() + px, p.stride(), dst, dstOff, dstStride, w, h, mvx & 7,
        mvy & 7, bilinear);
  }

  // ------------------------------------------------------------------ residual coding

  /**
   * libvpx's zbin_extra of a macroblock in 1/128 step: zbin_mode_boost for this reference and
   * mode plus the activity adjustment.
   */
  int zbinBoost(int mb, int ref, int mode) {
    int boost = 0;
    if (zbinModeBoost && ref != Tables.INTRA_FRAME) {
      if (mode == Tables.ZEROMV) {
        boost = ref != Tables.LAST_FRAME ? 12 : 6;
      } else if (mode != Tables.SPLITMV) {
        boost = 4;
      }
    }
    return boost + actZbinAdj[mb];
  }

  /** libvpx plane_rd_mult: the trellis weighs rate by 4 (luma), 16 (Y2), 2 (chroma) in transform-domain units. */
  private double trellisLambda(int mb, int errMult, boolean intra) {
    double l = mbLambda[mb] * errMult / 256.0;
    return intra ? l * 9 / 16 : l;
  }

  /**
   * Codes the luma of {@code l} (its {@code rec} holds the prediction; {@code l.hasY2} selects
   * the 16x16 path with a second-order block, else 16 independent blocks as for SPLITMV):
   * residual, transform, quantization, optionally the trellis ({@link Trellis}),
   * reconstruction into {@code l.rec}, rate and distortion.
   *
   * @param boost libvpx zbin_mode_boost in 1/128 step (0 for none)
   * @param optimize re-round the coefficients with the trellis
   */
  void codeLuma(int mb, Luma l, int boost, boolean optimize) {
    Quantizer qz = quant[mbSeg[mb]];
    int so = srcYOff(mb);
    byte[] s = src.y;
    int sst = src.yStride;
    System.arraycopy(l.rec, 0, l.pred, 0, 256);
    for (int r = 0; r < 16; r++) {
      int sp = so + r * sst;
      for (int c = 0; c < 16; c++) {
        diff[r * 16 + c] = (short) ((s[sp + c] & 0xFF) - (l.rec[r * 16 + c] & 0xFF));
      }
    }
    for (int b = 0; b < 16; b++) {
      Transform.forwardDct(diff, (b >> 2) * 64 + (b & 3) * 4, 16, coef, b * 16);
    }
    int extraY = (qz.acStep(Quantizer.Y1) * boost) >> 7;
    int type;
    int first;
    if (l.hasY2) {
      for (int b = 0; b < 16; b++) {
        dcs[b] = coef[b * 16];
      }
      Transform.forwardWalsh(dcs, 0, 4, coef, 256);
      for (int b = 0; b < 16; b++) {
        // libvpx quantizes the luma blocks with their DC in place (it only affects the dead-zone
        // run); the DC is coded in Y2, so drop it.
        qz.quantize(coef, b * 16, l.q, b * 16, Quantizer.Y1, extraY);
        l.q[b * 16] = 0;
        l.eob[b] = Tokens.eob(l.q, b * 16, 1);
      }
      int extraY2 = (qz.acStep(Quantizer.Y2) * boost) >> 7;
      l.eob[16] = qz.quantize(coef, 256, l.q, 256, Quantizer.Y2, extraY2);
      type = 0;
      first = 1;
    } else {
      for (int b = 0; b < 16; b++) {
        l.eob[b] = qz.quantize(coef, b * 16, l.q, b * 16, Quantizer.Y1, extraY);
      }
      l.eob[16] = 0;
      Arrays.fill(l.q, 256, 272, (short) 0);
      type = 3;
      first = 0;
    }
    if (optimize) {
      int a = (mb % mbCols) * 9;
      for (int i = 0; i < 4; i++) {
        actx[i] = aboveCtx[a + i];
        lctx[i] = leftCtx[i];
      }
      double lamY = trellisLambda(mb, 4, l.intra);
      for (int b = 0; b < 16; b++) {
        int ctx = actx[b & 3] + lctx[b >> 2];
        l.eob[b] = trellis.optimize(coef, b * 16, l.q, b * 16, qz.dequant, Quantizer.Y1 * 16, type, first, ctx,
            coeffProbs, tokenCosts, lamY);
        int nz = l.eob[b] > 0 ? 1 : 0;
        actx[b & 3] = nz;
        lctx[b >> 2] = nz;
      }
      if (l.hasY2) {
        l.eob[16] = trellis.optimize(coef, 256, l.q, 256, qz.dequant, Quantizer.Y2 * 16, 1, 0,
            aboveCtx[a + 8] + leftCtx[8], coeffProbs, tokenCosts, trellisLambda(mb, 16, l.intra));
        resetSmallY2(l, qz);
      }
    }
    reconLuma(mb, l);
    l.dist = Metrics.sse(s, so, sst, l.rec, 0, 16, 16, 16);
    l.rate = lumaTokenRate(mb, l);
  }

  /**
   * libvpx check_reset_2nd_coeffs: with small Y2 steps, a Y2 block whose dequantized values sum
   * to less than 35 in magnitude reconstructs to nothing (the inverse WHT and DC-only IDCT round
   * every output to 0), so it is dropped.
   */
  private static void resetSmallY2(Luma l, Quantizer qz) {
    if (qz.dcStep(Quantizer.Y2) >= 35 && qz.acStep(Quantizer.Y2) >= 35) {
      return;
    }
    int sum = 0;
    for (int i = 0; i < l.eob[16]; i++) {
      int rc = Tokens.ZIGZAG[i];
      sum += Math.abs(l.q[256 + rc] * qz.dequant(Quantizer.Y2, rc));
      if (sum >= 35) {
        return;
      }
    }
    Arrays.fill(l.q, 256, 272, (short) 0);
    l.eob[16] = 0;
  }

  /** Adds the dequantized inverse transforms of {@code l}'s coefficients to its prediction (Reconstructor). */
  void reconLuma(int mb, Luma l) {
    Quantizer qz = quant[mbSeg[mb]];
    int acY = qz.acStep(Quantizer.Y1);
    if (l.hasY2) {
      if (l.eob[16] > 1) {
        y2in[0] = (short) (l.q[256] * qz.dcStep(Quantizer.Y2));
        int ac2 = qz.acStep(Quantizer.Y2);
        for (int i = 1; i < 16; i++) {
          y2in[i] = (short) (l.q[256 + i] * ac2);
        }
        Transform.inverseWalsh(y2in, 0, y2out, 0);
      } else {
        Transform.inverseWalshDcOnly((short) (l.q[256] * qz.dcStep(Quantizer.Y2)), y2out, 0);
      }
      for (int b = 0; b < 16; b++) {
        int off = (b >> 2) * 64 + (b & 3) * 4;
        int dc = y2out[b * 16];
        if (l.eob[b] > 0) {
          blk[0] = (short) dc;
          for (int i = 1; i < 16; i++) {
            blk[i] = (short) (l.q[b * 16 + i] * acY);
          }
          Transform.idctAdd(blk, 0, l.rec, off, 16);
        } else if (dc != 0) {
          Transform.dcOnlyIdctAdd(dc, l.rec, off, 16);
        }
      }
    } else {
      int dcY = qz.dcStep(Quantizer.Y1);
      for (int b = 0; b < 16; b++) {
        int off = (b >> 2) * 64 + (b & 3) * 4;
        addBlock(l.q, b * 16, l.eob[b], dcY, acY, l.rec, off, 16);
      }
    }
  }

  /** One 4x4 block without second order: the decoder's eob > 1 / eob == 1 rule. */
  private void addBlock(short[] q, int qOff, int eob, int dcStep, int acStep, byte[] dst, int off, int stride) {
    if (eob > 1) {
      blk[0] = (short) (q[qOff] * dcStep);
      for (int i = 1; i < 16; i++) {
        blk[i] = (short) (q[qOff + i] * acStep);
      }
      Transform.idctAdd(blk, 0, dst, off, stride);
    } else if (eob == 1) {
      Transform.dcOnlyIdctAdd((short) (q[qOff] * dcStep), dst, off, stride);
    }
  }

  /** Token rate of {@code l}'s blocks in the contexts of macroblock {@code mb}. */
  int lumaTokenRate(int mb, Luma l) {
    int col = mb % mbCols;
    int a = col * 9;
    int a0 = aboveCtx[a];
    int a1 = aboveCtx[a + 1];
    int a2 = aboveCtx[a + 2];
    int a3 = aboveCtx[a + 3];
    int l0 = leftCtx[0];
    int l1 = leftCtx[1];
    int l2 = leftCtx[2];
    int l3 = leftCtx[3];
    int rate = 0;
    int type = 3;
    int first = 0;
    if (l.hasY2) {
      rate += Tokens.cost(coeffProbs, l.q, 256, l.eob[16], 1, 0, aboveCtx[a + 8] + leftCtx[8]);
      type = 0;
      first = 1;
    }
    for (int i = 0; i < 16; i++) {
      int ax = i & 3;
      int lx = i >> 2;
      int ca = ax == 0 ? a0 : ax == 1 ? a1 : ax == 2 ? a2 : a3;
      int cl = lx == 0 ? l0 : lx == 1 ? l1 : lx == 2 ? l2 : l3;
      rate += Tokens.cost(coeffProbs, l.q, i * 16, l.eob[i], type, first, ca + cl);
      int nz = l.eob[i] > 0 ? 1 : 0;
      switch (ax) {
        case 0 -> a0 = nz;
        case 1 -> a1 = nz;
        case 2 -> a2 = nz;
        default -> a3 = nz;
      }
      switch (lx) {
        case 0 -> l0 = nz;
        case 1 -> l1 = nz;
        case 2 -> l2 = nz;
        default -> l3 = nz;
      }
    }
    return rate;
  }

  /** Codes the chroma of {@code c} (its rec planes hold the prediction). */
  void codeChroma(int mb, Chroma c, int boost, boolean optimize) {
    Quantizer qz = quant[mbSeg[mb]];
    int so = srcUvOff(mb);
    int sst = src.uvStride;
    int extra = (qz.acStep(Quantizer.UV) * boost) >> 7;
    System.arraycopy(c.recU, 0, c.predU, 0, 64);
    System.arraycopy(c.recV, 0, c.predV, 0, 64);
    int a = (mb % mbCols) * 9;
    double lam = optimize ? trellisLambda(mb, 2, c.intra) : 0;
    for (int p = 0; p < 2; p++) {
      byte[] s = p == 0 ? src.u : src.v;
      byte[] rec = p == 0 ? c.recU : c.recV;
      for (int r = 0; r < 8; r++) {
        int sp = so + r * sst;
        for (int x = 0; x < 8; x++) {
          diff[r * 8 + x] = (short) ((s[sp + x] & 0xFF) - (rec[r * 8 + x] & 0xFF));
        }
      }
      int ab0 = aboveCtx[a + 4 + 2 * p];
      int ab1 = aboveCtx[a + 5 + 2 * p];
      int le0 = leftCtx[4 + 2 * p];
      int le1 = leftCtx[5 + 2 * p];
      for (int k = 0; k < 4; k++) {
        int b = p * 4 + k;
        Transform.forwardDct(diff, (k >> 1) * 32 + (k & 1) * 4, 8, coef, 0);
        c.eob[b] = qz.quantize(coef, 0, c.q, b * 16, Quantizer.UV, extra);
        if (optimize) {
          int ctx = ((k & 1) == 0 ? ab0 : ab1) + ((k >> 1) == 0 ? le0 : le1);
          c.eob[b] = trellis.optimize(coef, 0, c.q, b * 16, qz.dequant, Quantizer.UV * 16, 2, 0, ctx, coeffProbs,
              tokenCosts, lam);
          int nz = c.eob[b] > 0 ? 1 : 0;
          if ((k & 1) == 0) {
            ab0 = nz;
          } else {
            ab1 = nz;
          }
          if ((k >> 1) == 0) {
            le0 = nz;
          } else {
            le1 = nz;
          }
        }
      }
    }
    reconChroma(mb, c);
    c.dist = Metrics.sse(src.u, so, sst, c.recU, 0, 8, 8, 8) + Metrics.sse(src.v, so, sst, c.recV, 0, 8, 8, 8);
    c.rate = chromaTokenRate(mb, c);
  }

  void reconChroma(int mb, Chroma c) {
    Quantizer qz = quant[mbSeg[mb]];
    int dc = qz.dcStep(Quantizer.UV);
    int ac = qz.acStep(Quantizer.UV);
    for (int b = 0; b < 8; b++) {
      int k = b & 3;
      addBlock(c.q, b * 16, c.eob[b], dc, ac, b < 4 ? c.recU : c.recV, (k >> 1) * 32 + (k & 1) * 4, 8);
    }
  }

  int chromaTokenRate(int mb, Chroma c) {
    int a = (mb % mbCols) * 9;
    int rate = 0;
    for (int p = 0; p < 2; p++) {
      int ab0 = aboveCtx[a + 4 + 2 * p];
      int ab1 = aboveCtx[a + 5 + 2 * p];
      int le0 = leftCtx[4 + 2 * p];
      int le1 = leftCtx[5 + 2 * p];
      for (int k = 0; k < 4; k++) {
        int b = p * 4 + k;
        int ca = (k & 1) == 0 ? ab0 : ab1;
        int cl = (k >> 1) == 0 ? le0 : le1;
        rate += Tokens.cost(coeffProbs, c.q, b * 16, c.eob[b], 2, 0, ca + cl);
        int nz = c.eob[b] > 0 ? 1 : 0;
        if ((k & 1) == 0) {
          ab0 = nz;
        } else {
          ab1 = nz;
        }
        if ((k >> 1) == 0) {
          le0 = nz;
        } else {
          le1 = nz;
        }
      }
    }
    return rate;
  }

  // ------------------------------------------------------------------ B_PRED

  /**
   * B_PRED luma, sub-block by sub-block in the frame (each predicts from its reconstructed
   * neighbours). With {@code search}, each sub-block's mode is chosen by rate-distortion among
   * the {@code candidates} modes with the lowest prediction SAD; otherwise {@code l.bModes} is
   * coded as given. Leaves the reconstruction in the frame and in {@code l.rec}; {@code l.rate}
   * includes the sub-block mode costs.
   */
  void codeBPred(int mb, Luma l, boolean search, int candidates, boolean optimize) {
    Quantizer qz = quant[mbSeg[mb]];
    int yo = yOff(mb);
    int so = srcYOff(mb);
    byte[] s = src.y;
    int sst = src.yStride;
    double lam = mbLambda[mb] / 256.0;
    // intra_prediction_down_copy (Reconstructor.predictBPred).
    int above = yo - ys + 16;
    for (int r = 3; r < 16; r += 4) {
      System.arraycopy(fy, above, fy, yo + r * ys + 16, 4);
    }
    int col = mb % mbCols;
    int a = col * 9;
    for (int i = 0; i < 4; i++) {
      actx[i] = aboveCtx[a + i];
      lctx[i] = leftCtx[i];
    }
    int dcStep = qz.dcStep(Quantizer.Y1);
    int acStep = qz.acStep(Quantizer.Y1);
    int bExtra = (acStep * zbinBoost(mb, Tables.INTRA_FRAME, Tables.B_PRED)) >> 7;
    long dist = 0;
    int rate = 0;
    int modeRate = 0;
    for (int b = 0; b < 16; b++) {
      int bx = (b & 3) * 4;
      int by = (b >> 2) * 4;
      int off = yo + by * ys + bx;
      int sOff = so + by * sst + bx;
      int ctx = actx[b & 3] + lctx[b >> 2];
      int bestMode;
      int bestEob = 0;
      if (search) {
        // Rank the modes by prediction SAD plus mode cost, then code the best few.
        for (int m = 0; m < 10; m++) {
          IntraPredict.predict4x4(m, fy, off, ys);
          int sad = Metrics.sad(s, sOff, sst, fy, off, ys, 4, 4);
          sadKey[m] = (int) (sad * 16 + Math.sqrt(lam * 256) * BMODE_COST[m] / 16);
          sadOrder[m] = m;
        }
        sortByKey(sadOrder, sadKey, 10);
        double bestJ = Double.MAX_VALUE;
        bestMode = 0;
        bestEob = 0;
        int n = Math.min(candidates, 10);
        for (int k = 0; k < n; k++) {
          int m = sadOrder[k];
          IntraPredict.predict4x4(m, fy, off, ys);
          int eob = code4x4(qz, s, sOff, sst, fy, off, ys, q4, bExtra);
          for (int r = 0; r < 4; r++) {
            System.arraycopy(fy, off + r * ys, rec4, r * 4, 4);
          }
          addBlock(q4, 0, eob, dcStep, acStep, rec4, 0, 4);
          long d = Metrics.sse(s, sOff, sst, rec4, 0, 4, 4, 4);
          int r = Tokens.cost(coeffProbs, q4, 0, eob, 3, 0, ctx) + BMODE_COST[m];
          double j = d + lam * r;
          if (j < bestJ) {
            bestJ = j;
            bestMode = m;
            bestEob = eob;
            System.arraycopy(q4, 0, bestQ4, 0, 16);
          }
        }
        l.bModes[b] = bestMode;
      } else {
        bestMode = l.bModes[b];
      }
      IntraPredict.predict4x4(bestMode, fy, off, ys);
      if (optimize || !search) {
        bestEob = code4x4(qz, s, sOff, sst, fy, off, ys, bestQ4, bExtra);
        if (optimize) {
          bestEob = trellis.optimize(coef, 0, bestQ4, 0, qz.dequant, Quantizer.Y1 * 16, 3, 0, ctx, coeffProbs,
              tokenCosts, trellisLambda(mb, 4, true));
        }
      }
      addBlock(bestQ4, 0, bestEob, dcStep, acStep, fy, off, ys);
      System.arraycopy(bestQ4, 0, l.q, b * 16, 16);
      l.eob[b] = bestEob;
      dist += Metrics.sse(s, sOff, sst, fy, off, ys, 4, 4);
      rate += Tokens.cost(coeffProbs, bestQ4, 0, bestEob, 3, 0, ctx);
      modeRate += BMODE_COST[bestMode];
      int nz = bestEob > 0 ? 1 : 0;
      actx[b & 3] = nz;
      lctx[b >> 2] = nz;
    }
    for (int r = 0; r < 16; r++) {
      System.arraycopy(fy, yo + r * ys, l.rec, r * 16, 16);
    }
    Arrays.fill(l.q, 256, 272, (short) 0);
    l.eob[16] = 0;
    l.mode = Tables.B_PRED;
    l.hasY2 = false;
    l.intra = true;
    l.dist = dist;
    l.rate = rate;
    l.modeRate = modeRate;
  }

  /** Residual, forward DCT and quantization (Y1, no Y2) of one 4x4 block whose prediction is at {@code p[pOff]}. */
  private int code4x4(Quantizer qz, byte[] s, int sOff, int sst, byte[] p, int pOff, int pst, short[] out,
      int extra) {
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        diff[r * 4 + c] = (short) ((s[sOff + r * sst + c] & 0xFF) - (p[pOff + r * pst + c] & 0xFF));
      }
    }
    Transform.forwardDct(diff, 0, 4, coef, 0);
    return qz.quantize(coef, 0, out, 0, Quantizer.Y1, extra);
  }

  private static void sortByKey(int[] order, int[] key, int n) {
    for (int i = 1; i < n; i++) {
      int o = order[i];
      int k = key[o];
      int j = i - 1;
      while (j >= 0 && key[order[j]] > k) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
  }

  // ------------------------------------------------------------------ commit

  /**
   * Drops every coefficient of a coded candidate (luma, and chroma unless null): the
   * reconstruction becomes the prediction, so the macroblock will be coded as skipped. Not for
   * B_PRED, whose prediction depends on its residual.
   */
  void dropResidual(int mb, Luma l, Chroma c) {
    Arrays.fill(l.q, (short) 0);
    Arrays.fill(l.eob, 0);
    System.arraycopy(l.pred, 0, l.rec, 0, 256);
    l.dist = Metrics.sse(src.y, srcYOff(mb), src.yStride, l.pred, 0, 16, 16, 16);
    l.rate = 0;
    if (c != null) {
      Arrays.fill(c.q, (short) 0);
      Arrays.fill(c.eob, 0);
      System.arraycopy(c.predU, 0, c.recU, 0, 64);
      System.arraycopy(c.predV, 0, c.recV, 0, 64);
      int so = srcUvOff(mb);
      c.dist = Metrics.sse(src.u, so, src.uvStride, c.predU, 0, 8, 8, 8)
          + Metrics.sse(src.v, so, src.uvStride, c.predV, 0, 8, 8, 8);
      c.rate = 0;
    }
  }

  /** Distortion of the prediction alone (what {@link #dropResidual} would leave). */
  long predictionSse(int mb, Luma l, Chroma c) {
    int so = srcUvOff(mb);
    return Metrics.sse(src.y, srcYOff(mb), src.yStride, l.pred, 0, 16, 16, 16)
        + Metrics.sse(src.u, so, src.uvStride, c.predU, 0, 8, 8, 8)
        + Metrics.sse(src.v, so, src.uvStride, c.predV, 0, 8, 8, 8);
  }

  /** Cost of the skip flag for a macroblock whose residual is all zero ({@code zero}) or not. */
  int skipCost(boolean zero) {
    return Costs.bool(probSkip, zero);
  }

  /**
   * Writes a decided macroblock: its reconstruction into the frame, its modes and coefficients
   * into the frame builder, its token contexts and census data.
   *
   * @param ref 0 for intra; else the reference of an inter macroblock
   * @param mode the luma mode (intra mode, or NEARESTMV..SPLITMV)
   * @param mv for whole-macroblock inter modes, the vector
   * @param split for SPLITMV: partitioning, sub_mv_refs and vectors per partition, and the
   *     16 block vectors at {@code splitBlockMvs}
   */
  void commit(int mb, int ref, int mode, int mv, Luma l, Chroma c, int partitioning, int[] subRefs, int[] partMvs,
      int[] splitBlockMvs) {
    int yo = yOff(mb);
    int uo = uvOff(mb);
    for (int r = 0; r < 16; r++) {
      System.arraycopy(l.rec, r * 16, fy, yo + r * ys, 16);
    }
    for (int r = 0; r < 8; r++) {
      System.arraycopy(c.recU, r * 8, fu, uo + r * uvs, 8);
      System.arraycopy(c.recV, r * 8, fv, uo + r * uvs, 8);
    }
    boolean zero = l.zero() && c.zero();
    if (ref == Tables.INTRA_FRAME) {
      if (mode == Tables.B_PRED) {
        fb.bPred(mb, l.bModes, c.mode);
      } else {
        fb.intra(mb, mode, c.mode);
      }
      countTree(YMODE_TREE, yModeCounts, mode);
      countTree(UV_TREE, uvModeCounts, c.mode);
      Arrays.fill(blockMvs, mb * 16, mb * 16 + 16, 0);
      mbMv[mb] = 0;
    } else if (mode == Tables.SPLITMV) {
      int n = Tables.splitCount(partitioning);
      int[] sr = Arrays.copyOf(subRefs, n);
      int[] pm = Arrays.copyOf(partMvs, n);
      fb.split(mb, ref, partitioning, sr, pm);
      System.arraycopy(splitBlockMvs, 0, blockMvs, mb * 16, 16);
      mbMv[mb] = splitBlockMvs[15];
      mbPart[mb] = partitioning;
    } else {
      fb.inter(mb, ref, mode, mv);
      Arrays.fill(blockMvs, mb * 16, mb * 16 + 16, mv);
      mbMv[mb] = mv;
    }
    mbRef[mb] = (byte) ref;
    mbMode[mb] = (byte) mode;
    mbZero[mb] = zero;
    fb.skip(mb, zero);
    int a = (mb % mbCols) * 9;
    if (zero) {
      Arrays.fill(aboveCtx, a, a + 8, (byte) 0);
      Arrays.fill(leftCtx, 0, 8, (byte) 0);
      if (l.hasY2) {
        aboveCtx[a + 8] = 0;
        leftCtx[8] = 0;
      }
      return;
    }
    // Token counts in the writer's order (Y2, Y, U, V) and contexts.
    int type = 3;
    int first = 0;
    if (l.hasY2) {
      Tokens.count(tokenCounts, l.q, 256, l.eob[16], 1, 0, aboveCtx[a + 8] + leftCtx[8]);
      putBlock(mb, 24, l.q, 256, l.eob[16]);
      int nz = l.eob[16] > 0 ? 1 : 0;
      aboveCtx[a + 8] = (byte) nz;
      leftCtx[8] = (byte) nz;
      type = 0;
      first = 1;
    }
    for (int b = 0; b < 16; b++) {
      int ax = a + (b & 3);
      int lx = b >> 2;
      Tokens.count(tokenCounts, l.q, b * 16, l.eob[b], type, first, aboveCtx[ax] + leftCtx[lx]);
      putBlock(mb, b, l.q, b * 16, l.eob[b]);
      int nz = l.eob[b] > 0 ? 1 : 0;
      aboveCtx[ax] = (byte) nz;
      leftCtx[lx] = (byte) nz;
    }
    for (int b = 0; b < 8; b++) {
      int plane = b >= 4 ? 2 : 0;
      int ax = a + 4 + plane + (b & 1);
      int lx = 4 + plane + ((b & 3) >> 1);
      Tokens.count(tokenCounts, c.q, b * 16, c.eob[b], 2, 0, aboveCtx[ax] + leftCtx[lx]);
      putBlock(mb, 16 + b, c.q, b * 16, c.eob[b]);
      int nz = c.eob[b] > 0 ? 1 : 0;
      aboveCtx[ax] = (byte) nz;
      leftCtx[lx] = (byte) nz;
    }
  }

  /** Counts the bools of tree leaf {@code value} (node i/2 at {@code counts[2*(i/2) + bit]}). */
  private static void countTree(int[] tree, long[] counts, int value) {
    countPath(tree, counts, value, 0);
  }

  private static boolean countPath(int[] tree, long[] counts, int value, int i) {
    for (int b = 0; b < 2; b++) {
      int next = tree[i + b];
      if (next <= 0 ? -next == value : countPath(tree, counts, value, next)) {
        counts[(i >> 1) * 2 + b]++;
        return true;
      }
    }
    return false;
  }

  /** Records a coded NEWMV or NEW4X4 vector (its difference to {@code best}) for the probability choice. */
  void countMv(int mv, int best) {
    MvCosts.count(mvCounts, mv, best);
  }

  private void putBlock(int mb, int b, short[] q, int off, int eob) {
    if (eob > 0) {
      System.arraycopy(q, off, block16, 0, 16);
      fb.block(mb, b, block16, eob);
    }
  }

  // ------------------------------------------------------------------ loop filter

  /** Per-macroblock levels and inner-edge flags for frame level {@code level} (Reconstructor.loopFilter). */
  private void filterLevels(int level) {
    for (int mb = 0; mb < mbs; mb++) {
      int mode = mbMode[mb];
      lfLevel[mb] = (byte) inForce.filterLevel(level, mbSeg[mb], mbRef[mb], mode);
      lfInner[mb] = mode == Tables.B_PRED || mode == Tables.SPLITMV || !mbZero[mb];
    }
  }

  /**
   * The luma SSE against the source of the frame loop filtered at {@code level} (sharpness and
   * type from the header), over the macroblock-aligned area.
   */
  long filteredSse(int level, int sharpness, boolean simple) {
    System.arraycopy(fy, 0, lfY, 0, fy.length);
    if (level > 0) {
      if (!simple) {
        System.arraycopy(fu, 0, lfU, 0, fu.length);
        System.arraycopy(fv, 0, lfV, 0, fv.length);
      }
      filterLevels(level);
      LoopFilter.filterFrame(lfY, lfU, lfV, yOrg, uvOrg, ys, uvs, mbCols, mbRows, lfLevel, lfInner, simple, sharpness,
          false);
    }
    return Metrics.sse(src.y, 0, src.yStride, lfY, yOrg, ys, mbCols * 16, mbRows * 16);
  }

  /** The frame as the decoder will see it after loop filtering at {@code level} (for tests). */
  byte[][] filtered(int level, int sharpness, boolean simple) {
    byte[] y = fy.clone();
    byte[] u = fu.clone();
    byte[] v = fv.clone();
    if (level > 0) {
      filterLevels(level);
      LoopFilter.filterFrame(y, u, v, yOrg, uvOrg, ys, uvs, mbCols, mbRows, lfLevel, lfInner, simple, sharpness,
          false);
    }
    return new byte[][] {y, u, v};
  }

  /** SSE of a 16x16 luma block (stride 16) against the source macroblock. */
  long lumaSse(int mb, byte[] block) {
    return Metrics.sse(src.y, srcYOff(mb), src.yStride, block, 0, 16, 16, 16);
  }

  /** SSE of two 8x8 chroma blocks (stride 8) against the source macroblock. */
  long chromaSse(int mb, byte[] u, byte[] v) {
    int so = srcUvOff(mb);
    return Metrics.sse(src.u, so, src.uvStride, u, 0, 8, 8, 8) + Metrics.sse(src.v, so, src.uvStride, v, 0, 8, 8, 8);
  }
}
