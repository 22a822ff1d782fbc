package io.tinythreads.vp8;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;
import static io.tinythreads.vp8.header.Tables.B_PRED;
import static io.tinythreads.vp8.header.Tables.NEARESTMV;
import static io.tinythreads.vp8.header.Tables.NEARMV;
import static io.tinythreads.vp8.header.Tables.NEWMV;
import static io.tinythreads.vp8.header.Tables.SPLITMV;
import static io.tinythreads.vp8.header.Tables.ZEROMV;

import io.tinythreads.vp8.bool.BoolDecoder;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.SegmentationUpdate;
import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Parses one compressed frame against a decoder state: the frame header (RFC 6386 section 9 and
 * 19.2), the probability updates it carries, the per-macroblock headers of the first partition
 * (sections 10, 11, 16, 17, 19.3) and the DCT tokens of the token partitions (section 13), with the
 * behaviour of libvpx's decoder (vp8/decoder/decodeframe.c, decodemv.c, detokenize.c).
 */
final class FrameParser {
  /** Default frame size limit (pixels): 16384 x 16384 would need gigabytes for references. */
  static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

  private static final int[] KF_YMODE_TREE = Tables.kfYModeTree();
  private static final int[] YMODE_TREE = Tables.yModeTree();
  private static final int[] UV_MODE_TREE = Tables.uvModeTree();
  private static final int[] BMODE_TREE = Tables.bModeTree();
  private static final byte[] KF_YMODE_PROBS = Tables.kfYModeProbs();
  private static final byte[] KF_UV_MODE_PROBS = Tables.kfUvModeProbs();
  private static final byte[] KF_BMODE_PROBS = Tables.kfBModeProbs();
  private static final byte[] BMODE_PROBS = Tables.bModeProbs();
  private static final int[] MODE_CONTEXTS = new int[24];
  private static final int[] SUB_MV_REF_PROBS = new int[15];
  /** Coefficient band for positions 0..16 (16 is a sentinel). */
  private static final int[] BANDS = Tables.coeffBandTable();
  private static final int[] ZIGZAG = Tables.zigzagTable();
  private static final int[][] CAT_PROBS = {
    Tables.catProbs(3), Tables.catProbs(4), Tables.catProbs(5), Tables.catProbs(6)
  };
  /** First block of each partition, per split type (libvpx vp8_mbsplit_offset). */
  private static final int[][] SPLIT_FIRST_BLOCK = {
    {0, 8}, {0, 2}, {0, 2, 8, 10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
  };
  private static final int[][] SPLIT_PART_OF = new int[4][16];

  static {
    for (int c = 0; c < 6; c++) {
      for (int n = 0; n < 4; n++) {
        MODE_CONTEXTS[c * 4 + n] = Tables.modeContext(c, n);
      }
    }
    for (int c = 0; c < 5; c++) {
      for (int n = 0; n < 3; n++) {
        SUB_MV_REF_PROBS[c * 3 + n] = Tables.subMvRefProb(c, n);
      }
    }
    for (int s = 0; s < 4; s++) {
      for (int b = 0; b < 16; b++) {
        SPLIT_PART_OF[s][b] = Tables.splitPartOf(s, b);
      }
    }
  }

  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private FrameParser() {}

  /**
   * Parses {@code frame} against {@code state}, filling {@code out} (whose arrays are reused when
   * large enough).
   */
  static ParsedFrame parse(byte[] frame, DecoderState state, ParsedFrame out, long maxPixels) {
    if (frame.length == 0) {
      throw new InvalidBitstreamException("empty frame");
    }
    BoolDecoder[] first = new BoolDecoder[1];
    FrameHeader h = FrameHeader.read(frame, first);
    BoolDecoder bd = first[0];
    boolean key = h.keyFrame();
    if (!key && !state.hasKeyFrame()) {
      throw new InvalidBitstreamException("the stream must start with a key frame");
    }
    int width;
    int height;
    int hScale;
    int vScale;
    if (key) {
      var s = h.keyFrameStart().orElseThrow();
      width = s.width();
      height = s.height();
      hScale = s.horizontalScale();
      vScale = s.verticalScale();
      if ((long) width * height > maxPixels) {
        throw new UnsupportedFeatureException("frame size " + width + "x" + height + " exceeds the limit of "
            + maxPixels + " pixels");
      }
    } else {
      width = state.width();
      height = state.height();
      hScale = state.horizontalScale();
      vScale = state.verticalScale();
    }
    int mbCols = (width + 15) >> 4;
    int mbRows = (height + 15) >> 4;
    int mbs = mbCols * mbRows;
    out.allocate(mbs);
    out.header = h;
    out.width = width;
    out.height = height;
    out.mbCols = mbCols;
    out.mbRows = mbRows;
    out.coeffsUsed = 0;

    // Probabilities: key frames restart from the defaults (libvpx init_frame); the saved copy is
    // what persists when refresh_entropy_probs is 0.
    byte[] savedCoeff = key ? Tables.defaultCoeffProbs() : state.coeffProbs;
    byte[] savedY = key ? Tables.defaultYModeProbs() : state.yModeProbs;
    byte[] savedUv = key ? Tables.defaultUvModeProbs() : state.uvModeProbs;
    byte[] savedMv = key ? Tables.defaultMvProbs() : state.mvProbs;
    System.arraycopy(savedCoeff, 0, out.coeffProbs, 0, out.coeffProbs.length);
    System.arraycopy(savedY, 0, out.yModeProbs, 0, 4);
    System.arraycopy(savedUv, 0, out.uvModeProbs, 0, 3);
    System.arraycopy(savedMv, 0, out.mvProbs, 0, out.mvProbs.length);
    h.tokenProbUpdate().applyTo(out.coeffProbs);
    h.intra16x16Probs().ifPresent(l -> copyProbs(l, out.yModeProbs));
    h.intraChromaProbs().ifPresent(l -> copyProbs(l, out.uvModeProbs));
    h.mvProbUpdate().applyTo(out.mvProbs);

    // Segmentation (section 9.3): feature data persist until updated; key frames reset them.
    out.segmentationEnabled = h.segmentationEnabled();
    out.segmentAbsolute = !key && state.segmentAbsolute;
    if (key) {
      Arrays.fill(out.segmentQuant, (byte) 0);
      Arrays.fill(out.segmentLf, (byte) 0);
    } else {
      System.arraycopy(state.segmentQuant, 0, out.segmentQuant, 0, 4);
      System.arraycopy(state.segmentLf, 0, out.segmentLf, 0, 4);
    }
    Optional<SegmentationUpdate.SegmentFeatureData> fd = h.segmentation().flatMap(SegmentationUpdate::featureData);
    if (fd.isPresent()) {
      out.segmentAbsolute = fd.get().absolute();
      for (int i = 0; i < 4; i++) {
        out.segmentQuant[i] = (byte) fd.get().quantizerValue(i);
        out.segmentLf[i] = (byte) fd.get().loopFilterValue(i);
      }
    }
    // Loop filter deltas (section 9.6): persist, updated one by one; key frames reset them.
    out.lfDeltasEnabled = h.loopFilterAdjEnable();
    if (key) {
      Arrays.fill(out.refLfDeltas, (byte) 0);
      Arrays.fill(out.modeLfDeltas, (byte) 0);
    } else {
      System.arraycopy(state.refLfDeltas, 0, out.refLfDeltas, 0, 4);
      System.arraycopy(state.modeLfDeltas, 0, out.modeLfDeltas, 0, 4);
    }
    if (h.modeRefLfDeltaUpdate().isPresent()) {
      ModeRefLfDeltaUpdate u = h.modeRefLfDeltaUpdate().get();
      for (int i = 0; i < 4; i++) {
        int k = i;
        u.refFrameDeltas().get(i).ifPresent(d -> out.refLfDeltas[k] = (byte) d.value());
        u.mbModeDeltas().get(i).ifPresent(d -> out.modeLfDeltas[k] = (byte) d.value());
      }
    }

    // Segment map: coded this frame, reset by key frames, else persists.
    byte[] segmentIds = out.segmentId;
    if (h.updateMbSegmentationMap()) {
      // filled while parsing modes
    } else if (key || state.segmentMap.length != mbs) {
      Arrays.fill(segmentIds, 0, mbs, (byte) 0);
    } else {
      System.arraycopy(state.segmentMap, 0, segmentIds, 0, mbs);
    }

    if (key) {
      parseKeyFrameModes(bd, h, out);
    } else {
      parseInterFrameModes(bd, h, out);
    }
    boolean corrupt = parseTokens(frame, h, out) | bd.hasError();
    // libvpx: the first key frame, and a key frame that changes the size, must decode without
    // running out of data ("A stream must start with a complete key frame").
    if (corrupt && key && (!state.hasKeyFrame() || width != state.width() || height != state.height())) {
      throw new InvalidBitstreamException("truncated or corrupt key frame (data ran out while decoding)");
    }

    out.nextState = new DecoderState(width, height, hScale, vScale,
        h.refreshEntropyProbs() ? out.coeffProbs.clone() : savedCoeff.clone(),
        h.refreshEntropyProbs() ? out.yModeProbs.clone() : savedY.clone(),
        h.refreshEntropyProbs() ? out.uvModeProbs.clone() : savedUv.clone(),
        h.refreshEntropyProbs() ? out.mvProbs.clone() : savedMv.clone(),
        out.segmentAbsolute, out.segmentQuant.clone(), out.segmentLf.clone(),
        Arrays.copyOf(segmentIds, mbs), out.refLfDeltas.clone(), out.modeLfDeltas.clone());
    return out;
  }

  private static void copyProbs(List<Integer> l, byte[] dst) {
    for (int i = 0; i < dst.length; i++) {
      dst[i] = (byte) (int) l.get(i);
    }
  }

  private static int readSegmentId(BoolDecoder bd, FrameHeader h) {
    if (bd.readBool(h.segmentTreeProb(0)) != 0) {
      return 2 + bd.readBool(h.segmentTreeProb(2));
    }
    return bd.readBool(h.segmentTreeProb(1));
  }

  /** The sub-block mode a non-B_PRED key frame macroblock implies for its neighbours' contexts. */
  private static int impliedBMode(int yMode) {
    return switch (yMode) {
      case Tables.V_PRED -> Tables.B_VE_PRED;
      case Tables.H_PRED -> Tables.B_HE_PRED;
      case Tables.TM_PRED -> Tables.B_TM_PRED;
      default -> Tables.B_DC_PRED;
    };
  }

  /** Key frame macroblock headers (RFC 6386 section 11.2 to 11.4, 19.3). */
  private static void parseKeyFrameModes(BoolDecoder bd, FrameHeader h, ParsedFrame f) {
    int mbCols = f.mbCols;
    boolean updateMap = h.updateMbSegmentationMap();
    boolean skipCoded = h.mbNoCoeffSkip();
    int probSkip = h.probSkipFalse();
    byte[] bModes = f.bModes;
    for (int row = 0, mb = 0; row < f.mbRows; row++) {
      for (int col = 0; col < mbCols; col++, mb++) {
        if (updateMap) {
          f.segmentId[mb] = (byte) readSegmentId(bd, h);
        }
        f.skipCoded[mb] = skipCoded && bd.readBool(probSkip) != 0;
        f.refFrame[mb] = Tables.INTRA_FRAME;
        f.mbMv[mb] = 0;
        f.needClamp[mb] = false;
        f.partitioning[mb] = 0;
        int ymode = bd.readTree(KF_YMODE_TREE, KF_YMODE_PROBS);
        f.yMode[mb] = (byte) ymode;
        int base = mb * 16;
        if (ymode == B_PRED) {
          for (int b = 0; b < 16; b++) {
            int above;
            if (b >= 4) {
              above = bModes[base + b - 4];
            } else if (row > 0) {
              above = bModes[base - mbCols * 16 + b + 12];
            } else {
              above = Tables.B_DC_PRED;
            }
            int left;
            if ((b & 3) != 0) {
              left = bModes[base + b - 1];
            } else if (col > 0) {
              left = bModes[base - 16 + b + 3];
            } else {
              left = Tables.B_DC_PRED;
            }
            bModes[base + b] = (byte) bd.readTree(BMODE_TREE, KF_BMODE_PROBS, (above * 10 + left) * 9);
          }
        } else {
          Arrays.fill(bModes, base, base + 16, (byte) impliedBMode(ymode));
        }
        f.uvMode[mb] = (byte) bd.readTree(UV_MODE_TREE, KF_UV_MODE_PROBS);
      }
    }
  }

  /** Reads one motion vector component (RFC 6386 section 17.2, libvpx read_mvcomponent). */
  private static int readMvComponent(BoolDecoder bd, byte[] p, int off) {
    int x = 0;
    if (bd.readBool(p[off + Tables.MVP_IS_SHORT] & 0xFF) != 0) {
      for (int i = 0; i < 3; i++) {
        x += bd.readBool(p[off + Tables.MVP_BITS + i] & 0xFF) << i;
      }
      for (int i = Tables.MV_LONG_BITS - 1; i > 3; i--) {
        x += bd.readBool(p[off + Tables.MVP_BITS + i] & 0xFF) << i;
      }
      if ((x & 0xFFF0) == 0 || bd.readBool(p[off + Tables.MVP_BITS + 3] & 0xFF) != 0) {
        x += 8;
      }
    } else {
      // The short tree (Tables.smallMvTree) is three levels deep, balanced: node i's probability
      // is p[MVP_SHORT + i / 2]. Unrolled, it reads the same bools without walking the table.
      int s = off + Tables.MVP_SHORT;
      if (bd.readBool(p[s] & 0xFF) == 0) {
        x = bd.readBool(p[s + 1] & 0xFF) == 0 ? bd.readBool(p[s + 2] & 0xFF) : 2 + bd.readBool(p[s + 3] & 0xFF);
      } else {
        x = bd.readBool(p[s + 4] & 0xFF) == 0 ? 4 + bd.readBool(p[s + 5] & 0xFF) : 6 + bd.readBool(p[s + 6] & 0xFF);
      }
    }
    if (x != 0 && bd.readBool(p[off + Tables.MVP_SIGN] & 0xFF) != 0) {
      x = -x;
    }
    return x;
  }

  /** Interframe macroblock headers (RFC 6386 sections 16 and 17, libvpx read_mb_modes_mv). */
  private static void parseInterFrameModes(BoolDecoder bd, FrameHeader h, ParsedFrame f) {
    int mbCols = f.mbCols;
    int mbRows = f.mbRows;
    boolean updateMap = h.updateMbSegmentationMap();
    boolean skipCoded = h.mbNoCoeffSkip();
    int probSkip = h.probSkipFalse();
    int probIntra = h.probIntra();
    int probLast = h.probLast();
    int probGf = h.probGf();
    // Sign bias per reference frame (intra, last, golden, altref).
    boolean[] bias = {false, false, h.signBiasGolden(), h.signBiasAlternate()};
    byte[] yModes = f.yMode;
    byte[] refs = f.refFrame;
    int[] mbMv = f.mbMv;
    int[] subMvs = f.subMvs;
    byte[] mvp = f.mvProbs;
    int[] near = new int[4];
    int[] cnt = new int[4];
    for (int row = 0, mb = 0; row < mbRows; row++) {
      int toTop = -(row * 16) << 3;
      int toBottom = ((mbRows - 1 - row) * 16) << 3;
      for (int col = 0; col < mbCols; col++, mb++) {
        int toLeft = -(col * 16) << 3;
        int toRight = ((mbCols - 1 - col) * 16) << 3;
        if (updateMap) {
          f.segmentId[mb] = (byte) readSegmentId(bd, h);
        }
        f.skipCoded[mb] = skipCoded && bd.readBool(probSkip) != 0;
        f.needClamp[mb] = false;
        f.partitioning[mb] = 0;
        if (bd.readBool(probIntra) == 0) {
          refs[mb] = Tables.INTRA_FRAME;
          mbMv[mb] = 0;
          int ymode = bd.readTree(YMODE_TREE, f.yModeProbs);
          yModes[mb] = (byte) ymode;
          if (ymode == B_PRED) {
            for (int b = 0; b < 16; b++) {
              f.bModes[mb * 16 + b] = (byte) bd.readTree(BMODE_TREE, BMODE_PROBS);
            }
          }
          f.uvMode[mb] = (byte) bd.readTree(UV_MODE_TREE, f.uvModeProbs);
          continue;
        }
        int ref = Tables.LAST_FRAME;
        if (bd.readBool(probLast) != 0) {
          ref = Tables.GOLDEN_FRAME + bd.readBool(probGf);
        }
        refs[mb] = (byte) ref;
        f.uvMode[mb] = 0;
        boolean refBias = bias[ref];

        // find_near_mvs (RFC 6386 section 16.3): above, left, above-left, weights 2, 2, 1.
        near[0] = near[1] = near[2] = near[3] = 0;
        cnt[0] = cnt[1] = cnt[2] = cnt[3] = 0;
        int idx = 0;
        int above = row > 0 ? mb - mbCols : -1;
        int left = col > 0 ? mb - 1 : -1;
        int aboveLeft = row > 0 && col > 0 ? mb - mbCols - 1 : -1;
        if (above >= 0 && refs[above] != Tables.INTRA_FRAME) {
          int mv = mbMv[above];
          if (mv != 0) {
            near[++idx] = bias[refs[above]] != refBias ? negate(mv) : mv;
            cnt[idx] += 2;
          } else {
            cnt[0] += 2;
          }
        }
        if (left >= 0 && refs[left] != Tables.INTRA_FRAME) {
          int mv = mbMv[left];
          if (mv != 0) {
            int m = bias[refs[left]] != refBias ? negate(mv) : mv;
            if (m != near[idx]) {
              near[++idx] = m;
            }
            cnt[idx] += 2;
          } else {
            cnt[0] += 2;
          }
        }
        if (aboveLeft >= 0 && refs[aboveLeft] != Tables.INTRA_FRAME) {
          int mv = mbMv[aboveLeft];
          if (mv != 0) {
            int m = bias[refs[aboveLeft]] != refBias ? negate(mv) : mv;
            if (m != near[idx]) {
              near[++idx] = m;
            }
            cnt[idx] += 1;
          } else {
            cnt[0] += 1;
          }
        }

        if (bd.readBool(MODE_CONTEXTS[cnt[0] * 4]) == 0) {
          yModes[mb] = ZEROMV;
          mbMv[mb] = 0;
          continue;
        }
        // Merge above-left with nearest if three distinct vectors were found; then order by count.
        if (cnt[3] > 0 && near[idx] == near[1]) {
          cnt[1] += 1;
        }
        if (cnt[2] > cnt[1]) {
          int t = cnt[1];
          cnt[1] = cnt[2];
          cnt[2] = t;
          t = near[1];
          near[1] = near[2];
          near[2] = t;
        }
        if (bd.readBool(MODE_CONTEXTS[cnt[1] * 4 + 1]) == 0) {
          yModes[mb] = NEARESTMV;
          mbMv[mb] = clampMv2(near[1], toLeft, toRight, toTop, toBottom);
          continue;
        }
        if (bd.readBool(MODE_CONTEXTS[cnt[2] * 4 + 2]) == 0) {
          yModes[mb] = NEARMV;
          mbMv[mb] = clampMv2(near[2], toLeft, toRight, toTop, toBottom);
          continue;
        }
        int best = clampMv2(near[cnt[1] >= cnt[0] ? 1 : 0], toLeft, toRight, toTop, toBottom);
        int splitCount = (above >= 0 && yModes[above] == SPLITMV ? 2 : 0)
            + (left >= 0 && yModes[left] == SPLITMV ? 2 : 0)
            + (aboveLeft >= 0 && yModes[aboveLeft] == SPLITMV ? 1 : 0);
        int minCol = toLeft - 128;
        int maxCol = toRight + 128;
        int minRow = toTop - 128;
        int maxRow = toBottom + 128;
        if (bd.readBool(MODE_CONTEXTS[splitCount * 4 + 3]) != 0) {
          yModes[mb] = SPLITMV;
          boolean clamp = false;
          int s = bd.readBool(110) == 0 ? Tables.SPLIT_4X4
              : bd.readBool(111) == 0 ? Tables.SPLIT_QUARTERS
              : bd.readBool(150);
          f.partitioning[mb] = (byte) s;
          int[] firstBlocks = SPLIT_FIRST_BLOCK[s];
          int[] partOf = SPLIT_PART_OF[s];
          int base = mb * 16;
          for (int j = 0; j < firstBlocks.length; j++) {
            int k = firstBlocks[j];
            int leftMv;
            if ((k & 3) != 0) {
              leftMv = subMvs[base + k - 1];
            } else if (left < 0) {
              leftMv = 0;
            } else {
              leftMv = yModes[left] == SPLITMV ? subMvs[left * 16 + k + 3] : mbMv[left];
            }
            int aboveMv;
            if (k >= 4) {
              aboveMv = subMvs[base + k - 4];
            } else if (above < 0) {
              aboveMv = 0;
            } else {
              aboveMv = yModes[above] == SPLITMV ? subMvs[above * 16 + k + 12] : mbMv[above];
            }
            int pOff = Tables.subMvContext(leftMv, aboveMv) * 3;
            int blockMv;
            int subRef;
            if (bd.readBool(SUB_MV_REF_PROBS[pOff]) == 0) {
              subRef = Tables.LEFT4X4;
              blockMv = leftMv;
            } else if (bd.readBool(SUB_MV_REF_PROBS[pOff + 1]) == 0) {
              subRef = Tables.ABOVE4X4;
              blockMv = aboveMv;
            } else if (bd.readBool(SUB_MV_REF_PROBS[pOff + 2]) == 0) {
              subRef = Tables.ZERO4X4;
              blockMv = 0;
            } else {
              subRef = Tables.NEW4X4;
              int r = (short) (readMvComponent(bd, mvp, 0) * 2 + mvRow(best));
              int c = (short) (readMvComponent(bd, mvp, Tables.MV_PROBS_PER_COMPONENT) * 2 + mvCol(best));
              blockMv = packMv(r, c);
            }
            f.subMvRefs[base + j] = (byte) subRef;
            int br = mvRow(blockMv);
            int bc = mvCol(blockMv);
            clamp |= bc < minCol || bc > maxCol || br < minRow || br > maxRow;
            for (int b = 0; b < 16; b++) {
              if (partOf[b] == j) {
                subMvs[base + b] = blockMv;
              }
            }
          }
          f.needClamp[mb] = clamp;
          mbMv[mb] = subMvs[base + 15];
        } else {
          yModes[mb] = NEWMV;
          int r = (short) (readMvComponent(bd, mvp, 0) * 2 + mvRow(best));
          int c = (short) (readMvComponent(bd, mvp, Tables.MV_PROBS_PER_COMPONENT) * 2 + mvCol(best));
          mbMv[mb] = packMv(r, c);
          f.needClamp[mb] = c < minCol || c > maxCol || r < minRow || r > maxRow;
        }
      }
    }
  }

  private static int negate(int mv) {
    return packMv(-mvRow(mv), -mvCol(mv));
  }

  /** libvpx vp8_clamp_mv2: keeps a vector within 16 pixels (plus the macroblock) of the frame. */
  private static int clampMv2(int mv, int toLeft, int toRight, int toTop, int toBottom) {
    int r = mvRow(mv);
    int c = mvCol(mv);
    if (c < toLeft - 128) {
      c = toLeft - 128;
    } else if (c > toRight + 128) {
      c = toRight + 128;
    }
    if (r < toTop - 128) {
      r = toTop - 128;
    } else if (r > toBottom + 128) {
      r = toBottom + 128;
    }
    return packMv((short) r, (short) c);
  }

  // ---------------------------------------------------------------- tokens (RFC 6386 section 13)

  /** Decodes all tokens; returns true if a partition ran out of data (libvpx's corrupt flag). */
  private static boolean parseTokens(byte[] frame, FrameHeader h, ParsedFrame f) {
    int numParts = h.numPartitions();
    BoolDecoder[] parts = new BoolDecoder[numParts];
    for (int i = 0; i < numParts; i++) {
      parts[i] = new BoolDecoder(frame, h.partitionOffset(i), h.partitionSizes().get(i));
    }
    int mbCols = f.mbCols;
    // Contexts: 9 per macroblock column above (4 Y, 2 U, 2 V, 1 Y2) and 9 for the left.
    byte[] aboveCtx = new byte[mbCols * 9];
    byte[] leftCtx = new byte[9];
    byte[] probs = f.coeffProbs;
    for (int row = 0, mb = 0; row < f.mbRows; row++) {
      BoolDecoder bd = parts[row & (numParts - 1)];
      Arrays.fill(leftCtx, (byte) 0);
      for (int col = 0; col < mbCols; col++, mb++) {
        int a = col * 9;
        int ymode = f.yMode[mb];
        boolean hasY2 = ymode != B_PRED && ymode != SPLITMV;
        int eobBase = mb * 25;
        f.coeffOffset[mb] = -1;
        f.tokensMissing[mb] = false;
        if (f.skipCoded[mb]) {
          // Most macroblocks are skipped: 8-byte stores instead of three Arrays.fill calls.
          byte[] eobs = f.eobs;
          LONG.set(eobs, eobBase, 0L);
          LONG.set(eobs, eobBase + 8, 0L);
          LONG.set(eobs, eobBase + 16, 0L);
          eobs[eobBase + 24] = 0;
          LONG.set(aboveCtx, a, 0L);
          LONG.set(leftCtx, 0, 0L);
          if (hasY2) {
            aboveCtx[a + 8] = 0;
            leftCtx[8] = 0;
          }
          continue;
        }
        if (bd.hasError()) {
          // libvpx skips token decoding once the partition has run dry (contexts untouched).
          Arrays.fill(f.eobs, eobBase, eobBase + 25, (byte) 0);
          f.tokensMissing[mb] = true;
          continue;
        }
        int saveUsed = f.coeffsUsed;
        int off = f.reserveCoeffs();
        short[] out = f.coeffs;
        int total = 0;
        int type;
        int first;
        if (hasY2) {
          int ctx = aboveCtx[a + 8] + leftCtx[8];
          int n = coeffs(bd, probs, 1, ctx, 0, out, off + 24 * 16);
          int nz = n > 0 ? 1 : 0;
          aboveCtx[a + 8] = (byte) nz;
          leftCtx[8] = (byte) nz;
          f.eobs[eobBase + 24] = (byte) n;
          total += n;
          type = 0;
          first = 1;
        } else {
          f.eobs[eobBase + 24] = 0;
          type = 3;
          first = 0;
        }
        for (int i = 0; i < 16; i++) {
          int ax = a + (i & 3);
          int lx = i >> 2;
          int n = coeffs(bd, probs, type, aboveCtx[ax] + leftCtx[lx], first, out, off + i * 16);
          int nz = n > 0 ? 1 : 0;
          aboveCtx[ax] = (byte) nz;
          leftCtx[lx] = (byte) nz;
          f.eobs[eobBase + i] = (byte) n;
          total += n;
        }
        for (int i = 16; i < 24; i++) {
          int plane = i >= 20 ? 2 : 0;
          int ax = a + 4 + plane + (i & 1);
          int lx = 4 + plane + ((i & 3) >> 1);
          int n = coeffs(bd, probs, 2, aboveCtx[ax] + leftCtx[lx], 0, out, off + i * 16);
          int nz = n > 0 ? 1 : 0;
          aboveCtx[ax] = (byte) nz;
          leftCtx[lx] = (byte) nz;
          f.eobs[eobBase + i] = (byte) n;
          total += n;
        }
        if (total == 0) {
          f.coeffsUsed = saveUsed;
        } else {
          f.coeffOffset[mb] = off;
        }
      }
    }
    boolean corrupt = false;
    for (int i = 0; i < Math.min(numParts, f.mbRows); i++) {
      corrupt |= parts[i].hasError();
    }
    return corrupt;
  }

  /**
   * Decodes the tokens of one block starting at position {@code n} (libvpx GetCoeffs): writes the
   * coefficients in raster order at {@code out[outOff..]} and returns the position after the last
   * decoded token (0 if the first token is an end of block).
   */
  private static int coeffs(BoolDecoder bd, byte[] probs, int type, int ctx, int n, short[] out, int outOff) {
    int typeBase = type * (Tables.COEFF_BANDS * 33);
    int p = typeBase + BANDS[n] * 33 + ctx * 11;
    if (bd.readBool(probs[p] & 0xFF) == 0) {
      return 0;
    }
    while (true) {
      ++n;
      if (bd.readBool(probs[p + 1] & 0xFF) == 0) {
        p = typeBase + BANDS[n] * 33;
      } else {
        int v;
        if (bd.readBool(probs[p + 2] & 0xFF) == 0) {
          v = 1;
          p = typeBase + BANDS[n] * 33 + 11;
        } else {
          if (bd.readBool(probs[p + 3] & 0xFF) == 0) {
            if (bd.readBool(probs[p + 4] & 0xFF) == 0) {
              v = 2;
            } else {
              v = 3 + bd.readBool(probs[p + 5] & 0xFF);
            }
          } else if (bd.readBool(probs[p + 6] & 0xFF) == 0) {
            if (bd.readBool(probs[p + 7] & 0xFF) == 0) {
              v = 5 + bd.readBool(159);
            } else {
              v = 7 + 2 * bd.readBool(165);
              v += bd.readBool(145);
            }
          } else {
            int bit1 = bd.readBool(probs[p + 8] & 0xFF);
            int bit0 = bd.readBool(probs[p + 9 + bit1] & 0xFF);
            int cat = 2 * bit1 + bit0;
            v = 0;
            for (int prob : CAT_PROBS[cat]) {
              v += v + bd.readBool(prob);
            }
            v += 3 + (8 << cat);
          }
          p = typeBase + BANDS[n] * 33 + 22;
        }
        out[outOff + ZIGZAG[n - 1]] = (short) (bd.readBool(128) != 0 ? -v : v);
        if (n == 16 || bd.readBool(probs[p] & 0xFF) == 0) {
          return n;
        }
      }
      if (n == 16) {
        return 16;
      }
    }
  }
}
