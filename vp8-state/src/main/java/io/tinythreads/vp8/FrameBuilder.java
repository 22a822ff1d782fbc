package io.tinythreads.vp8;

import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything that one compressed VP8 frame codes, as a mutable value that an encoder fills and
 * {@link FrameWriter} turns into bytes: the {@link FrameHeader}, the probabilities in force for the
 * frame, and per macroblock the segment id, the skip flag, the prediction (intra modes, or a
 * reference frame with a motion vector or split motion vectors) and the quantized coefficients
 * (RFC 6386 sections 11, 13, 16, 17, 19.3).
 *
 * <p>Create one with {@link #create(FrameHeader, DecoderState)} (the state the frame will be
 * decoded against: it gives the size of interframes and the probabilities that the header's
 * updates apply to) or copy a parsed frame with {@link #from(ParsedFrame)}. Macroblocks start as
 * intra DC_PRED (chroma DC_PRED), segment 0, not skipped, with no coefficients.
 *
 * <p>Motion vectors are packed as in {@link ParsedFrame#packMv(int, int)} (row in the low 16 bits,
 * column in the high 16 bits, libvpx units of 1/8 luma pixel, i.e. twice the coded quarter-pixel
 * value). The writer checks that each coded vector is representable against its neighbours: a
 * NEARESTMV/NEARMV macroblock must carry exactly the candidate vector ({@link #mvCandidates}),
 * a NEWMV vector must differ from the best candidate by an even amount within +-2046, and split
 * partitions coded LEFT4X4/ABOVE4X4/ZERO4X4 must carry the vector they imply.
 *
 * <p>Coefficients are quantized values in raster order within each 4x4 block; blocks are numbered
 * 0..15 (Y, raster order), 16..19 (U), 20..23 (V), 24 (Y2). Each block has an end-of-block
 * position {@code eob}: tokens are coded for zigzag positions {@code first..eob-1} (first = 1 for
 * Y blocks of macroblocks with Y2, else 0) followed by an end-of-block token unless eob is 16;
 * 0 means the block codes only an end of block. Not thread-safe.
 */
public final class FrameBuilder {
  private static final int[] ZIGZAG = Tables.zigzagTable();

  private FrameHeader header;
  /** The state this frame is decoded against, or null when built from a parsed frame. */
  private final DecoderState before;
  private final int width;
  private final int height;
  final int mbCols;
  final int mbRows;

  final byte[] coeffProbs = new byte[Tables.NUM_COEFF_PROBS];
  final byte[] yModeProbs = new byte[4];
  final byte[] uvModeProbs = new byte[3];
  final byte[] mvProbs = new byte[2 * Tables.MV_PROBS_PER_COMPONENT];

  final byte[] yMode;
  final byte[] uvMode;
  final byte[] refFrame;
  final byte[] segmentId;
  final boolean[] skip;
  final byte[] partitioning;
  /** Per macroblock: the motion vector of non-split inter macroblocks. */
  final int[] mv;
  /** Per macroblock x 16: B_PRED sub-block modes. */
  final byte[] bModes;
  /** Per macroblock x 16: for SPLITMV, the vector of partition j at {@code mb * 16 + j}. */
  final int[] partMvs;
  /** Per macroblock x 16: for SPLITMV, the sub_mv_ref of partition j at {@code mb * 16 + j}. */
  final byte[] subMvRefs;
  final byte[] eobs;
  final short[] coeffs;
  /** Per macroblock: no tokens are written (the decoder's partition had run out of data). */
  final boolean[] tokensMissing;

  private FrameBuilder(FrameHeader header, DecoderState before, int width, int height) {
    this.header = header;
    this.before = before;
    this.width = width;
    this.height = height;
    this.mbCols = (width + 15) >> 4;
    this.mbRows = (height + 15) >> 4;
    int mbs = mbCols * mbRows;
    yMode = new byte[mbs];
    uvMode = new byte[mbs];
    refFrame = new byte[mbs];
    segmentId = new byte[mbs];
    skip = new boolean[mbs];
    partitioning = new byte[mbs];
    mv = new int[mbs];
    bModes = new byte[mbs * 16];
    partMvs = new int[mbs * 16];
    subMvRefs = new byte[mbs * 16];
    eobs = new byte[mbs * 25];
    coeffs = new short[mbs * 400];
    tokensMissing = new boolean[mbs];
  }

  /**
   * A frame with header {@code header} to be decoded against {@code before}: key frames take their
   * size from the header and start from the default probabilities, interframes take the size and
   * probabilities of {@code before}; the header's probability updates are applied on top.
   *
   * @throws IllegalArgumentException for an interframe against a state without a key frame
   */
  public static FrameBuilder create(FrameHeader header, DecoderState before) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(before, "before");
    int w;
    int h;
    if (header.keyFrame()) {
      w = header.keyFrameStart().orElseThrow().width();
      h = header.keyFrameStart().orElseThrow().height();
      if (w == 0 || h == 0) {
        throw new IllegalArgumentException("key frame size must not be 0: " + w + "x" + h);
      }
    } else {
      if (!before.hasKeyFrame()) {
        throw new IllegalArgumentException("an interframe needs a state after a key frame");
      }
      w = before.width();
      h = before.height();
    }
    FrameBuilder b = new FrameBuilder(header, before, w, h);
    b.applyProbabilities();
    return b;
  }

  /** A copy of everything {@code f} codes. */
  public static FrameBuilder from(ParsedFrame f) {
    FrameBuilder b = new FrameBuilder(f.header, null, f.width, f.height);
    b.copy(f);
    return b;
  }

  /** As {@link #from(ParsedFrame)}, remembering the state {@code f} was parsed against (so the header may be replaced). */
  public static FrameBuilder from(ParsedFrame f, DecoderState before) {
    Objects.requireNonNull(before, "before");
    FrameBuilder b = new FrameBuilder(f.header, before, f.width, f.height);
    b.copy(f);
    return b;
  }

  private void copy(ParsedFrame f) {
    System.arraycopy(f.coeffProbs, 0, coeffProbs, 0, coeffProbs.length);
    System.arraycopy(f.yModeProbs, 0, yModeProbs, 0, 4);
    System.arraycopy(f.uvModeProbs, 0, uvModeProbs, 0, 3);
    System.arraycopy(f.mvProbs, 0, mvProbs, 0, mvProbs.length);
    int mbs = mbCols * mbRows;
    System.arraycopy(f.yMode, 0, yMode, 0, mbs);
    System.arraycopy(f.uvMode, 0, uvMode, 0, mbs);
    System.arraycopy(f.refFrame, 0, refFrame, 0, mbs);
    System.arraycopy(f.segmentId, 0, segmentId, 0, mbs);
    System.arraycopy(f.skipCoded, 0, skip, 0, mbs);
    System.arraycopy(f.partitioning, 0, partitioning, 0, mbs);
    System.arraycopy(f.mbMv, 0, mv, 0, mbs);
    System.arraycopy(f.bModes, 0, bModes, 0, mbs * 16);
    System.arraycopy(f.subMvRefs, 0, subMvRefs, 0, mbs * 16);
    System.arraycopy(f.eobs, 0, eobs, 0, mbs * 25);
    System.arraycopy(f.tokensMissing, 0, tokensMissing, 0, mbs);
    for (int mb = 0; mb < mbs; mb++) {
      if (f.yMode[mb] == Tables.SPLITMV) {
        int s = f.partitioning[mb];
        for (int b = 15; b >= 0; b--) {
          partMvs[mb * 16 + Tables.splitPartOf(s, b)] = f.subMvs[mb * 16 + b];
        }
      }
      int off = f.coeffOffset[mb];
      if (off >= 0) {
        System.arraycopy(f.coeffs, off, coeffs, mb * 400, 400);
      }
    }
  }

  /** Probabilities in force: the base (defaults on key frames, else {@code before}'s) plus the header's updates. */
  private void applyProbabilities() {
    boolean key = header.keyFrame();
    System.arraycopy(key ? Tables.defaultCoeffProbs() : before.coeffProbs, 0, coeffProbs, 0, coeffProbs.length);
    System.arraycopy(key ? Tables.defaultYModeProbs() : before.yModeProbs, 0, yModeProbs, 0, 4);
    System.arraycopy(key ? Tables.defaultUvModeProbs() : before.uvModeProbs, 0, uvModeProbs, 0, 3);
    System.arraycopy(key ? Tables.defaultMvProbs() : before.mvProbs, 0, mvProbs, 0, mvProbs.length);
    header.tokenProbUpdate().applyTo(coeffProbs);
    header.intra16x16Probs().ifPresent(l -> copy(l, yModeProbs));
    header.intraChromaProbs().ifPresent(l -> copy(l, uvModeProbs));
    header.mvProbUpdate().applyTo(mvProbs);
  }

  private static void copy(List<Integer> l, byte[] dst) {
    for (int i = 0; i < dst.length; i++) {
      dst[i] = (byte) (int) l.get(i);
    }
  }

  // ------------------------------------------------------------------ frame level

  public FrameHeader header() {
    return header;
  }

  /**
   * Replaces the header (for example once the encoder has chosen its probability updates) and
   * recomputes the probabilities in force. The frame type and, for key frames, the size must stay.
   * The partition sizes and first partition size of the header are ignored by the writer.
   *
   * @throws IllegalStateException if this builder was made from a parsed frame without its state
   */
  public FrameBuilder header(FrameHeader h) {
    Objects.requireNonNull(h, "h");
    if (before == null) {
      throw new IllegalStateException("built from a parsed frame without its prior state; use from(parsed, before)");
    }
    if (h.keyFrame() != header.keyFrame()) {
      throw new IllegalArgumentException("the frame type cannot change");
    }
    if (h.keyFrame() && (h.keyFrameStart().orElseThrow().width() != width
        || h.keyFrameStart().orElseThrow().height() != height)) {
      throw new IllegalArgumentException("the key frame size cannot change");
    }
    header = h;
    applyProbabilities();
    return this;
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

  /** A copy of the token probabilities in force (flat [type][band][ctx][node]). */
  public byte[] coeffProbs() {
    return coeffProbs.clone();
  }

  /** A copy of the interframe luma mode probabilities in force. */
  public byte[] yModeProbs() {
    return yModeProbs.clone();
  }

  public byte[] uvModeProbs() {
    return uvModeProbs.clone();
  }

  /** A copy of the motion vector probabilities in force. */
  public byte[] mvProbs() {
    return mvProbs.clone();
  }

  // ------------------------------------------------------------------ per macroblock, setters

  private int checkMb(int mb) {
    if (mb < 0 || mb >= mbCols * mbRows) {
      throw new IllegalArgumentException("mb must be 0.." + (mbCols * mbRows - 1) + ": " + mb);
    }
    return mb;
  }

  private static int checkIndex(int v, int n, String name) {
    if (v < 0 || v >= n) {
      throw new IllegalArgumentException(name + " must be 0.." + (n - 1) + ": " + v);
    }
    return v;
  }

  /** Sets the segment id (coded when the header updates the segment map). */
  public FrameBuilder segmentId(int mb, int id) {
    checkMb(mb);
    if (id < 0 || id > 3) {
      throw new IllegalArgumentException("segment id must be 0..3: " + id);
    }
    segmentId[mb] = (byte) id;
    return this;
  }

  /**
   * Sets mb_skip_coeff: a skipped macroblock codes no tokens (its coefficients are ignored). Only
   * frames with mb_no_coeff_skip = 1 can code it.
   */
  public FrameBuilder skip(int mb, boolean value) {
    skip[checkMb(mb)] = value;
    return this;
  }

  /** An intra macroblock with a whole-block luma mode (DC_PRED, V_PRED, H_PRED, TM_PRED). */
  public FrameBuilder intra(int mb, int lumaMode, int chromaMode) {
    checkMb(mb);
    if (lumaMode < Tables.DC_PRED || lumaMode > Tables.TM_PRED) {
      throw new IllegalArgumentException("lumaMode must be DC_PRED..TM_PRED: " + lumaMode);
    }
    setIntra(mb, lumaMode, chromaMode);
    return this;
  }

  /** An intra B_PRED macroblock with 16 sub-block modes (B_DC_PRED..B_HU_PRED, raster order). */
  public FrameBuilder bPred(int mb, int[] subModes, int chromaMode) {
    checkMb(mb);
    if (subModes.length != 16) {
      throw new IllegalArgumentException("need 16 sub-block modes, got " + subModes.length);
    }
    for (int m : subModes) {
      if (m < Tables.B_DC_PRED || m > Tables.B_HU_PRED) {
        throw new IllegalArgumentException("sub-block mode must be B_DC_PRED..B_HU_PRED: " + m);
      }
    }
    setIntra(mb, Tables.B_PRED, chromaMode);
    for (int b = 0; b < 16; b++) {
      bModes[mb * 16 + b] = (byte) subModes[b];
    }
    return this;
  }

  private void setIntra(int mb, int lumaMode, int chromaMode) {
    if (chromaMode < Tables.DC_PRED || chromaMode > Tables.TM_PRED) {
      throw new IllegalArgumentException("chromaMode must be DC_PRED..TM_PRED: " + chromaMode);
    }
    yMode[mb] = (byte) lumaMode;
    uvMode[mb] = (byte) chromaMode;
    refFrame[mb] = Tables.INTRA_FRAME;
    mv[mb] = 0;
    partitioning[mb] = 0;
  }

  /**
   * An inter macroblock predicted from {@code ref} (LAST_FRAME, GOLDEN_FRAME, ALTREF_FRAME) with
   * one motion vector; {@code mode} is NEARESTMV, NEARMV, ZEROMV (vector 0) or NEWMV.
   */
  public FrameBuilder inter(int mb, int ref, int mode, int mv) {
    checkMb(mb);
    checkRef(ref);
    if (mode != Tables.NEARESTMV && mode != Tables.NEARMV && mode != Tables.ZEROMV && mode != Tables.NEWMV) {
      throw new IllegalArgumentException("mode must be NEARESTMV, NEARMV, ZEROMV or NEWMV: " + mode);
    }
    if (mode == Tables.ZEROMV && mv != 0) {
      throw new IllegalArgumentException("ZEROMV needs the zero vector");
    }
    yMode[mb] = (byte) mode;
    refFrame[mb] = (byte) ref;
    this.mv[mb] = mv;
    partitioning[mb] = 0;
    uvMode[mb] = 0;
    return this;
  }

  /**
   * A SPLITMV macroblock: {@code partitioning} is SPLIT_16X8..SPLIT_4X4; for each of its
   * partitions (2, 2, 4 or 16, numbered as RFC 6386 section 16.4 mbsplits) the sub_mv_ref
   * (LEFT4X4, ABOVE4X4, ZERO4X4, NEW4X4) and the resulting vector.
   */
  public FrameBuilder split(int mb, int ref, int partitioning, int[] subMvRefs, int[] mvs) {
    checkMb(mb);
    checkRef(ref);
    if (partitioning < Tables.SPLIT_16X8 || partitioning > Tables.SPLIT_4X4) {
      throw new IllegalArgumentException("partitioning must be SPLIT_16X8..SPLIT_4X4: " + partitioning);
    }
    int n = Tables.splitCount(partitioning);
    if (subMvRefs.length != n || mvs.length != n) {
      throw new IllegalArgumentException("partitioning " + partitioning + " needs " + n + " sub_mv_refs and vectors");
    }
    for (int r : subMvRefs) {
      if (r < Tables.LEFT4X4 || r > Tables.NEW4X4) {
        throw new IllegalArgumentException("sub_mv_ref must be LEFT4X4..NEW4X4: " + r);
      }
    }
    yMode[mb] = Tables.SPLITMV;
    refFrame[mb] = (byte) ref;
    this.partitioning[mb] = (byte) partitioning;
    uvMode[mb] = 0;
    for (int j = 0; j < n; j++) {
      this.subMvRefs[mb * 16 + j] = (byte) subMvRefs[j];
      partMvs[mb * 16 + j] = mvs[j];
    }
    mv[mb] = mvs[Tables.splitPartOf(partitioning, 15)];
    return this;
  }

  private static void checkRef(int ref) {
    if (ref < Tables.LAST_FRAME || ref > Tables.ALTREF_FRAME) {
      throw new IllegalArgumentException("ref must be LAST_FRAME..ALTREF_FRAME: " + ref);
    }
  }

  /**
   * Sets the 16 coefficients of block {@code b} (raster order) and its end-of-block position.
   *
   * @param eob 0 (an immediate end of block), or {@code first < eob <= 16}; the coefficient at
   *     zigzag position {@code eob - 1} must be nonzero unless eob is 16, and positions from eob
   *     on must be zero
   */
  public FrameBuilder block(int mb, int b, short[] coefficients, int eob) {
    checkMb(mb);
    if (b < 0 || b > 24) {
      throw new IllegalArgumentException("block must be 0..24: " + b);
    }
    if (coefficients.length != 16) {
      throw new IllegalArgumentException("need 16 coefficients, got " + coefficients.length);
    }
    if (eob < 0 || eob > 16) {
      throw new IllegalArgumentException("eob must be 0..16: " + eob);
    }
    System.arraycopy(coefficients, 0, coeffs, mb * 400 + b * 16, 16);
    eobs[mb * 25 + b] = (byte) eob;
    return this;
  }

  /**
   * Sets block {@code b}'s coefficients with the usual end of block: after the last nonzero
   * coefficient in zigzag order (0 if the block is all zero).
   */
  public FrameBuilder block(int mb, int b, short[] coefficients) {
    int eob = 0;
    for (int i = 15; i >= 0; i--) {
      if (coefficients[ZIGZAG[i]] != 0) {
        eob = i + 1;
        break;
      }
    }
    return block(mb, b, coefficients, eob);
  }

  /** Clears all 25 blocks of a macroblock (no coefficients, every eob 0). */
  public FrameBuilder clearCoefficients(int mb) {
    checkMb(mb);
    Arrays.fill(coeffs, mb * 400, mb * 400 + 400, (short) 0);
    Arrays.fill(eobs, mb * 25, mb * 25 + 25, (byte) 0);
    tokensMissing[mb] = false;
    return this;
  }

  // ------------------------------------------------------------------ per macroblock, getters

  public int segmentId(int mb) {
    return segmentId[checkMb(mb)];
  }

  public boolean skip(int mb) {
    return skip[checkMb(mb)];
  }

  /** DC_PRED..B_PRED for intra, NEARESTMV..SPLITMV for inter macroblocks. */
  public int yMode(int mb) {
    return yMode[checkMb(mb)];
  }

  public int uvMode(int mb) {
    return uvMode[checkMb(mb)];
  }

  /** 0 = intra, 1 = last, 2 = golden, 3 = altref. */
  public int refFrame(int mb) {
    return refFrame[checkMb(mb)];
  }

  /** The motion vector (packed): 0 for intra, the vector of the last sub-block for SPLITMV. */
  public int mv(int mb) {
    return mv[checkMb(mb)];
  }

  public int bMode(int mb, int b) {
    return bModes[checkMb(mb) * 16 + checkIndex(b, 16, "b")];
  }

  public int partitioning(int mb) {
    return partitioning[checkMb(mb)];
  }

  public int subMvRef(int mb, int partition) {
    return subMvRefs[checkMb(mb) * 16 + checkIndex(partition, 16, "partition")];
  }

  /** The vector of split partition {@code partition}. */
  public int partitionMv(int mb, int partition) {
    return partMvs[checkMb(mb) * 16 + checkIndex(partition, 16, "partition")];
  }

  /** The motion vector of luma sub-block {@code b} (0..15) as the decoder derives it. */
  public int blockMv(int mb, int b) {
    checkMb(mb);
    checkIndex(b, 16, "b");
    if (yMode[mb] == Tables.SPLITMV) {
      return partMvs[mb * 16 + Tables.splitPartOf(partitioning[mb], b)];
    }
    return refFrame[mb] == Tables.INTRA_FRAME ? 0 : mv[mb];
  }

  public int eob(int mb, int b) {
    return eobs[checkMb(mb) * 25 + checkIndex(b, 25, "b")];
  }

  /** Coefficient {@code i} (raster order) of block {@code b}. */
  public int coeff(int mb, int b, int i) {
    return coeffs[checkMb(mb) * 400 + checkIndex(b, 25, "b") * 16 + checkIndex(i, 16, "i")];
  }

  /** Whether the macroblock has a Y2 block (neither B_PRED nor SPLITMV). */
  public boolean hasY2(int mb) {
    int m = yMode[checkMb(mb)];
    return m != Tables.B_PRED && m != Tables.SPLITMV;
  }

  /**
   * The motion vector candidates of inter macroblock {@code mb} predicted from {@code ref}, as the
   * decoder derives them from the macroblocks above, left and above-left that are already set
   * (RFC 6386 section 16.3, libvpx vp8_find_near_mvs and vp8_clamp_mv2): NEARESTMV codes
   * {@code nearest}, NEARMV {@code near}, and NEWMV and NEW4X4 vectors are coded relative to
   * {@code best}.
   */
  public MvCandidates mvCandidates(int mb, int ref) {
    checkMb(mb);
    checkRef(ref);
    NearMvs n = new NearMvs();
    n.find(this, mb, ref);
    return new MvCandidates(n.nearest, n.nearMv, n.best);
  }

  /**
   * Motion vector candidates (packed, clamped as the decoder clamps them).
   *
   * @param nearest the vector NEARESTMV stands for
   * @param near the vector NEARMV stands for
   * @param best the base of NEWMV and NEW4X4 vectors
   */
  public record MvCandidates(int nearest, int near, int best) {}

  /** The coefficient at zigzag position {@code pos} of a block (for the writer). */
  int zigzagCoeff(int mb, int b, int pos) {
    return coeffs[mb * 400 + b * 16 + ZIGZAG[pos]];
  }
}
