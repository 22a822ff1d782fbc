package io.tinythreads.vp8;

import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.Tables;

/**
 * Everything coded in one compressed frame, before reconstruction: the header, the probabilities
 * in force for this frame, the per-macroblock modes and motion vectors (RFC 6386 sections 11, 16,
 * 17), and the quantized coefficients of every block (section 13). Also the decoder state that
 * follows this frame ({@link #nextState()}).
 *
 * <p>Per-macroblock data lives in flat arrays indexed by macroblock number {@code mb = row * mbCols
 * + col}; sub-block data at {@code mb * 16 + b} (b = 0..15 in raster order within the macroblock).
 * Motion vectors are packed: {@link #mvRow(int)} and {@link #mvCol(int)} extract the two signed
 * 16-bit components, in libvpx units (1/8 pixel for luma, i.e. the coded quarter-pixel value * 2).
 *
 * <p>A {@code ParsedFrame} returned by {@link Decoder#parse} is not shared and not modified later.
 */
public final class ParsedFrame {
  FrameHeader header;
  int width;
  int height;
  int mbCols;
  int mbRows;
  DecoderState nextState;

  // Probabilities in force for this frame (after this frame's updates).
  final byte[] coeffProbs = new byte[Tables.NUM_COEFF_PROBS];
  final byte[] yModeProbs = new byte[4];
  final byte[] uvModeProbs = new byte[3];
  final byte[] mvProbs = new byte[2 * Tables.MV_PROBS_PER_COMPONENT];
  // Segment quantizer/loop filter parameters in force for this frame.
  boolean segmentationEnabled;
  boolean segmentAbsolute;
  final byte[] segmentQuant = new byte[4];
  final byte[] segmentLf = new byte[4];
  boolean lfDeltasEnabled;
  final byte[] refLfDeltas = new byte[4];
  final byte[] modeLfDeltas = new byte[4];

  int capacityMbs;
  byte[] yMode;
  byte[] uvMode;
  byte[] refFrame;
  byte[] segmentId;
  boolean[] skipCoded;
  boolean[] needClamp;
  byte[] partitioning;
  int[] mbMv;
  byte[] bModes;
  int[] subMvs;
  byte[] subMvRefs;
  /** Per block (25 per macroblock: 16 Y, 4 U, 4 V, Y2): position after the last decoded token (0 = none). */
  byte[] eobs;
  /** Per macroblock: offset of its 25 x 16 coefficients in {@link #coeffs}, or -1 if none are nonzero-coded. */
  int[] coeffOffset;
  /** Per macroblock: the token partition had run out of data, so no tokens were read (libvpx). */
  boolean[] tokensMissing;
  short[] coeffs;
  int coeffsUsed;

  ParsedFrame() {}

  void allocate(int mbs) {
    if (capacityMbs >= mbs) {
      return;
    }
    capacityMbs = mbs;
    yMode = new byte[mbs];
    uvMode = new byte[mbs];
    refFrame = new byte[mbs];
    segmentId = new byte[mbs];
    skipCoded = new boolean[mbs];
    needClamp = new boolean[mbs];
    partitioning = new byte[mbs];
    mbMv = new int[mbs];
    bModes = new byte[mbs * 16];
    subMvs = new int[mbs * 16];
    subMvRefs = new byte[mbs * 16];
    eobs = new byte[mbs * 25];
    coeffOffset = new int[mbs];
    tokensMissing = new boolean[mbs];
    if (coeffs == null || coeffs.length < 400 * 16) {
      coeffs = new short[Math.max(400 * 16, mbs * 64)];
    }
  }

  /** Reserves a zeroed region of 400 coefficients; returns its offset. */
  int reserveCoeffs() {
    int off = coeffsUsed;
    if (off + 400 > coeffs.length) {
      short[] n = new short[Math.max(coeffs.length * 2, off + 400)];
      System.arraycopy(coeffs, 0, n, 0, off);
      coeffs = n;
    } else {
      java.util.Arrays.fill(coeffs, off, off + 400, (short) 0);
    }
    coeffsUsed = off + 400;
    return off;
  }

  /** Packs a motion vector (libvpx int_mv layout: row in the low, column in the high 16 bits). */
  public static int packMv(int row, int col) {
    return (row & 0xFFFF) | (col << 16);
  }

  /** The row (vertical) component of a packed motion vector. */
  public static int mvRow(int mv) {
    return (short) mv;
  }

  /** The column (horizontal) component of a packed motion vector. */
  public static int mvCol(int mv) {
    return mv >> 16;
  }

  public FrameHeader header() {
    return header;
  }

  /** The decoder state after this frame. */
  public DecoderState nextState() {
    return nextState;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int mbCols() {
    return mbCols;
  }

  public int mbRows() {
    return mbRows;
  }

  /** Token probability {@code index} (flat [type][band][ctx][node]) in force for this frame. */
  public int coeffProb(int index) {
    return coeffProbs[index] & 0xFF;
  }

  /** A copy of the token probabilities in force for this frame. */
  public byte[] coeffProbs() {
    return coeffProbs.clone();
  }

  /** Interframe luma mode probabilities in force for this frame. */
  public byte[] yModeProbs() {
    return yModeProbs.clone();
  }

  public byte[] uvModeProbs() {
    return uvModeProbs.clone();
  }

  /** Motion vector probabilities in force for this frame. */
  public byte[] mvProbs() {
    return mvProbs.clone();
  }

  /** Luma mode: {@link Tables#DC_PRED}..{@link Tables#B_PRED} for intra, NEARESTMV..SPLITMV for inter. */
  public int yMode(int mb) {
    return yMode[mb];
  }

  /** Chroma mode (intra macroblocks): DC_PRED, V_PRED, H_PRED or TM_PRED. */
  public int uvMode(int mb) {
    return uvMode[mb];
  }

  /** 0 = intra, 1 = last, 2 = golden, 3 = altref. */
  public int refFrame(int mb) {
    return refFrame[mb];
  }

  /** The segment id in force (coded this frame, or persisted from earlier frames). */
  public int segmentId(int mb) {
    return segmentId[mb];
  }

  /** mb_skip_coeff as coded (false when the frame has mb_no_coeff_skip = 0). */
  public boolean skipCoded(int mb) {
    return skipCoded[mb];
  }

  /** For NEWMV and SPLITMV: whether some vector points far outside the frame (libvpx need_to_clamp_mvs). */
  public boolean needClamp(int mb) {
    return needClamp[mb];
  }

  /** For SPLITMV: the partitioning, {@link Tables#SPLIT_16X8}..{@link Tables#SPLIT_4X4}. */
  public int partitioning(int mb) {
    return partitioning[mb];
  }

  /** The macroblock motion vector (packed; 0 for intra, the last sub-block's for SPLITMV). */
  public int mv(int mb) {
    return mbMv[mb];
  }

  /** Sub-block {@code b}'s motion vector (packed); for non-split inter macroblocks, the macroblock's. */
  public int subMv(int mb, int b) {
    return yMode[mb] == Tables.SPLITMV ? subMvs[mb * 16 + b] : mbMv[mb];
  }

  /** For SPLITMV: the sub_mv_ref (LEFT4X4, ABOVE4X4, ZERO4X4, NEW4X4) coded for partition {@code j}. */
  public int subMvRef(int mb, int j) {
    return subMvRefs[mb * 16 + j];
  }

  /**
   * Sub-block intra mode of block {@code b} for B_PRED macroblocks. On key frames, other intra
   * macroblocks hold the mode implied for context (B_DC_PRED for DC_PRED, B_VE_PRED for V_PRED,
   * B_HE_PRED for H_PRED, B_TM_PRED for TM_PRED).
   */
  public int bMode(int mb, int b) {
    return bModes[mb * 16 + b];
  }

  /** Whether the macroblock has a Y2 (second order) block: not B_PRED and not SPLITMV. */
  public boolean hasY2(int mb) {
    int m = yMode[mb];
    return m != Tables.B_PRED && m != Tables.SPLITMV;
  }

  /**
   * Block {@code b} (0..15 Y, 16..19 U, 20..23 V, 24 Y2): the position after the last decoded token,
   * i.e. tokens were coded for positions {@code first..eob-1} followed by an end-of-block token
   * unless eob is 16; 0 means an immediate end of block. {@code first} is 1 for Y blocks of
   * macroblocks with Y2, else 0.
   */
  public int eob(int mb, int b) {
    return eobs[mb * 25 + b];
  }

  /** Quantized coefficient {@code i} (raster order in the 4x4 block) of block {@code b}. */
  public int coeff(int mb, int b, int i) {
    int off = coeffOffset[mb];
    return off < 0 ? 0 : coeffs[off + b * 16 + i];
  }

  /** True if no token was decoded for the macroblock (skipped, all blocks empty, or data missing). */
  public boolean noCoefficients(int mb) {
    return coeffOffset[mb] < 0;
  }

  /** True if the macroblock's token partition had run out of data before it (tokens not read, as in libvpx). */
  public boolean tokensMissing(int mb) {
    return tokensMissing[mb];
  }

  /**
   * libvpx's final mb_skip_coeff, used by the loop filter: skip as coded, or no coefficients
   * decoded (when tokens were read).
   */
  public boolean residualSkipped(int mb) {
    return skipCoded[mb] || (!tokensMissing[mb] && coeffOffset[mb] < 0);
  }

  /** Whether segmentation is enabled in this frame. */
  public boolean segmentationEnabled() {
    return segmentationEnabled;
  }
}
