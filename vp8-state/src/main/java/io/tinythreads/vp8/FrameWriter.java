package io.tinythreads.vp8;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;

import io.tinythreads.vp8.bool.BoolEncoder;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.FrameTag;
import io.tinythreads.vp8.header.HeaderWriter;
import io.tinythreads.vp8.header.Tables;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Writes a compressed VP8 frame (RFC 6386 sections 9, 13, 16, 17, 19), the inverse of the
 * decoder's parser, laid out as libvpx's encoder lays it out (vp8/encoder/bitstream.c
 * vp8_pack_bitstream): the 3-byte frame tag, on key frames the start code and size, the first
 * partition (frame header, then the per-macroblock headers), the 3-byte sizes of all token
 * partitions but the last, then the token partitions (macroblock row {@code r} in partition
 * {@code r mod n}). Every partition is flushed as {@code vp8_stop_encode} does.
 *
 * <p>Writing what the parser read gives back the original bytes for every frame libvpx produced
 * (see FrameWriterRoundTripTest); the frame tag's first_part_size and the partition sizes are
 * always recomputed from the written data.
 */
public final class FrameWriter {
  private static final int[] KF_YMODE_TREE = Tables.kfYModeTree();
  private static final int[] YMODE_TREE = Tables.yModeTree();
  private static final int[] UV_MODE_TREE = Tables.uvModeTree();
  private static final int[] BMODE_TREE = Tables.bModeTree();
  private static final int[] SMALL_MV_TREE = Tables.smallMvTree();
  private static final byte[] KF_YMODE_PROBS = Tables.kfYModeProbs();
  private static final byte[] KF_UV_MODE_PROBS = Tables.kfUvModeProbs();
  private static final byte[] KF_BMODE_PROBS = Tables.kfBModeProbs();
  private static final byte[] BMODE_PROBS = Tables.bModeProbs();
  private static final int[] BANDS = Tables.coeffBandTable();
  private static final int[] ZIGZAG = Tables.zigzagTable();
  private static final int[][] CAT_PROBS = {
    Tables.catProbs(3), Tables.catProbs(4), Tables.catProbs(5), Tables.catProbs(6)
  };
  /** First block of each partition, per split type (libvpx vp8_mbsplit_offset). */
  private static final int[][] SPLIT_FIRST_BLOCK = {
    {0, 8}, {0, 2}, {0, 2, 8, 10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
  };
  /** Largest coefficient magnitude the token alphabet can carry: DCT_VAL_CATEGORY6 base 67 + 11 bits. */
  static final int MAX_COEFF = 67 + 2047;

  private FrameWriter() {}

  /** Writes the frame {@code f} was parsed from (byte-identical for frames libvpx wrote). */
  public static byte[] write(ParsedFrame f) {
    return write(FrameBuilder.from(f));
  }

  /**
   * Writes {@code f} as a compressed frame.
   *
   * @throws IllegalArgumentException naming the macroblock and element if {@code f} holds
   *     something the syntax cannot code (for example a NEARESTMV vector that is not the nearest
   *     candidate, a coefficient beyond +-2114, or a skip flag in a frame without skip flags)
   */
  public static byte[] write(FrameBuilder f) {
    FrameHeader h = f.header();
    boolean key = h.keyFrame();
    BoolEncoder first = new BoolEncoder(1024 + f.mbCols * f.mbRows * 4);
    HeaderWriter.write(h, first);
    if (key) {
      writeKeyFrameModes(f, first);
    } else {
      writeInterFrameModes(f, first);
    }
    byte[] firstPart = first.finish();
    if (firstPart.length >= 1 << 19) {
      throw new IllegalArgumentException("first partition of " + firstPart.length + " bytes exceeds the 19-bit size field");
    }
    byte[][] parts = writeTokens(f);

    ByteArrayOutputStream out = new ByteArrayOutputStream(firstPart.length + 64 + totalLength(parts));
    out.writeBytes(new FrameTag(key, h.tag().version(), h.tag().showFrame(), firstPart.length).toBytes());
    h.keyFrameStart().ifPresent(s -> out.writeBytes(s.toBytes()));
    out.writeBytes(firstPart);
    for (int i = 0; i < parts.length - 1; i++) {
      int n = parts[i].length;
      if (n >= 1 << 24) {
        throw new IllegalArgumentException("token partition " + i + " of " + n + " bytes exceeds the 24-bit size field");
      }
      out.write(n);
      out.write(n >> 8);
      out.write(n >> 16);
    }
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static int totalLength(byte[][] parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    return n;
  }

  // ---------------------------------------------------------------- macroblock headers

  private static void writeSegmentId(FrameHeader h, int id, BoolEncoder e) {
    // mb_segment_tree (section 9.3): {2, 4, -0, -1, -2, -3}
    e.writeBool(h.segmentTreeProb(0), id >= 2);
    if (id >= 2) {
      e.writeBool(h.segmentTreeProb(2), id == 3);
    } else {
      e.writeBool(h.segmentTreeProb(1), id == 1);
    }
  }

  private static void writeSkip(FrameBuilder f, FrameHeader h, int mb, BoolEncoder e) {
    if (h.mbNoCoeffSkip()) {
      e.writeBool(h.probSkipFalse(), f.skip[mb]);
    } else if (f.skip[mb]) {
      throw new IllegalArgumentException("mb " + mb + ": skip set but the frame has mb_no_coeff_skip = 0");
    }
  }

  /** The sub-block mode a key frame macroblock offers its neighbours as context (section 11.3). */
  private static int contextBMode(FrameBuilder f, int mb, int b) {
    return switch (f.yMode[mb]) {
      case Tables.B_PRED -> f.bModes[mb * 16 + b];
      case Tables.V_PRED -> Tables.B_VE_PRED;
      case Tables.H_PRED -> Tables.B_HE_PRED;
      case Tables.TM_PRED -> Tables.B_TM_PRED;
      default -> Tables.B_DC_PRED;
    };
  }

  /** Key frame macroblock headers (sections 11.2 to 11.4, 19.3). */
  private static void writeKeyFrameModes(FrameBuilder f, BoolEncoder e) {
    FrameHeader h = f.header();
    boolean updateMap = h.updateMbSegmentationMap();
    int mbCols = f.mbCols;
    for (int row = 0, mb = 0; row < f.mbRows; row++) {
      for (int col = 0; col < mbCols; col++, mb++) {
        if (updateMap) {
          writeSegmentId(h, f.segmentId[mb], e);
        }
        writeSkip(f, h, mb, e);
        int ymode = f.yMode[mb];
        if (f.refFrame[mb] != Tables.INTRA_FRAME || ymode > Tables.B_PRED) {
          throw new IllegalArgumentException("mb " + mb + ": key frames have intra macroblocks only");
        }
        e.writeTree(KF_YMODE_TREE, KF_YMODE_PROBS, 0, ymode);
        if (ymode == Tables.B_PRED) {
          for (int b = 0; b < 16; b++) {
            int above = b >= 4 ? f.bModes[mb * 16 + b - 4]
                : row > 0 ? contextBMode(f, mb - mbCols, b + 12) : Tables.B_DC_PRED;
            int left = (b & 3) != 0 ? f.bModes[mb * 16 + b - 1]
                : col > 0 ? contextBMode(f, mb - 1, b + 3) : Tables.B_DC_PRED;
            e.writeTree(BMODE_TREE, KF_BMODE_PROBS, (above * 10 + left) * 9, f.bModes[mb * 16 + b]);
          }
        }
        e.writeTree(UV_MODE_TREE, KF_UV_MODE_PROBS, 0, f.uvMode[mb]);
      }
    }
  }

  /** Interframe macroblock headers (sections 16 and 17, libvpx pack_inter_mode_mvs). */
  private static void writeInterFrameModes(FrameBuilder f, BoolEncoder e) {
    FrameHeader h = f.header();
    boolean updateMap = h.updateMbSegmentationMap();
    int mbs = f.mbCols * f.mbRows;
    NearMvs n = new NearMvs();
    int[] blockMvs = new int[16];
    for (int mb = 0; mb < mbs; mb++) {
      if (updateMap) {
        writeSegmentId(h, f.segmentId[mb], e);
      }
      writeSkip(f, h, mb, e);
      int ref = f.refFrame[mb];
      int ymode = f.yMode[mb];
      e.writeBool(h.probIntra(), ref != Tables.INTRA_FRAME);
      if (ref == Tables.INTRA_FRAME) {
        if (ymode > Tables.B_PRED) {
          throw new IllegalArgumentException("mb " + mb + ": intra macroblock with inter mode " + ymode);
        }
        e.writeTree(YMODE_TREE, f.yModeProbs, 0, ymode);
        if (ymode == Tables.B_PRED) {
          for (int b = 0; b < 16; b++) {
            e.writeTree(BMODE_TREE, BMODE_PROBS, 0, f.bModes[mb * 16 + b]);
          }
        }
        e.writeTree(UV_MODE_TREE, f.uvModeProbs, 0, f.uvMode[mb]);
        continue;
      }
      if (ymode < Tables.NEARESTMV) {
        throw new IllegalArgumentException("mb " + mb + ": inter macroblock with intra mode " + ymode);
      }
      e.writeBool(h.probLast(), ref != Tables.LAST_FRAME);
      if (ref != Tables.LAST_FRAME) {
        e.writeBool(h.probGf(), ref == Tables.ALTREF_FRAME);
      }
      n.find(f, mb, ref);
      int[] cnt = n.cnt;
      // mv_ref_tree (section 16.3): ZERO | (NEAREST | (NEAR | (NEW | SPLIT))), contexts by weight.
      e.writeBool(Tables.modeContext(cnt[0], 0), ymode != Tables.ZEROMV);
      if (ymode == Tables.ZEROMV) {
        requireMv(f.mv[mb] == 0, mb, "ZEROMV with a nonzero vector");
        continue;
      }
      e.writeBool(Tables.modeContext(cnt[1], 1), ymode != Tables.NEARESTMV);
      if (ymode == Tables.NEARESTMV) {
        requireMv(f.mv[mb] == n.nearest, mb, "NEARESTMV vector is not the nearest candidate");
        continue;
      }
      e.writeBool(Tables.modeContext(cnt[2], 2), ymode != Tables.NEARMV);
      if (ymode == Tables.NEARMV) {
        requireMv(f.mv[mb] == n.nearMv, mb, "NEARMV vector is not the near candidate");
        continue;
      }
      e.writeBool(Tables.modeContext(n.splitCount, 3), ymode == Tables.SPLITMV);
      if (ymode == Tables.NEWMV) {
        writeMv(f.mv[mb], n.best, f.mvProbs, mb, e);
        continue;
      }
      writeSplit(f, mb, n, blockMvs, e);
    }
  }

  private static void requireMv(boolean ok, int mb, String what) {
    if (!ok) {
      throw new IllegalArgumentException("mb " + mb + ": " + what);
    }
  }

  /** SPLITMV partitioning and sub-block vectors (section 16.4, libvpx decode_split_mv). */
  private static void writeSplit(FrameBuilder f, int mb, NearMvs n, int[] blockMvs, BoolEncoder e) {
    int s = f.partitioning[mb];
    // mbsplit_tree: 4x4 | (quarters | (16x8 | 8x16))
    e.writeBool(Tables.mbSplitProb(0), s != Tables.SPLIT_4X4);
    if (s != Tables.SPLIT_4X4) {
      e.writeBool(Tables.mbSplitProb(1), s != Tables.SPLIT_QUARTERS);
      if (s != Tables.SPLIT_QUARTERS) {
        e.writeBool(Tables.mbSplitProb(2), s == Tables.SPLIT_8X16);
      }
    }
    int base = mb * 16;
    int left = n.left;
    int above = n.above;
    int[] firstBlocks = SPLIT_FIRST_BLOCK[s];
    for (int j = 0; j < firstBlocks.length; j++) {
      int k = firstBlocks[j];
      int leftMv;
      if ((k & 3) != 0) {
        leftMv = blockMvs[k - 1];
      } else {
        leftMv = left < 0 ? 0 : neighbourBlockMv(f, left, k + 3);
      }
      int aboveMv;
      if (k >= 4) {
        aboveMv = blockMvs[k - 4];
      } else {
        aboveMv = above < 0 ? 0 : neighbourBlockMv(f, above, k + 12);
      }
      int pOff = Tables.subMvContext(leftMv, aboveMv);
      int subRef = f.subMvRefs[base + j];
      int v = f.partMvs[base + j];
      e.writeBool(Tables.subMvRefProb(pOff, 0), subRef != Tables.LEFT4X4);
      if (subRef == Tables.LEFT4X4) {
        requireMv(v == leftMv, mb, "LEFT4X4 partition " + j + " does not carry the left vector");
      } else {
        e.writeBool(Tables.subMvRefProb(pOff, 1), subRef != Tables.ABOVE4X4);
        if (subRef == Tables.ABOVE4X4) {
          requireMv(v == aboveMv, mb, "ABOVE4X4 partition " + j + " does not carry the above vector");
        } else {
          e.writeBool(Tables.subMvRefProb(pOff, 2), subRef != Tables.ZERO4X4);
          if (subRef == Tables.ZERO4X4) {
            requireMv(v == 0, mb, "ZERO4X4 partition " + j + " has a nonzero vector");
          } else {
            writeMv(v, n.best, f.mvProbs, mb, e);
          }
        }
      }
      for (int b = 0; b < 16; b++) {
        if (Tables.splitPartOf(s, b) == j) {
          blockMvs[b] = v;
        }
      }
    }
  }

  /** A neighbour's sub-block vector as split-mv contexts see it (0 for intra). */
  private static int neighbourBlockMv(FrameBuilder f, int mb, int b) {
    if (f.refFrame[mb] == Tables.INTRA_FRAME) {
      return 0;
    }
    if (f.yMode[mb] == Tables.SPLITMV) {
      return f.partMvs[mb * 16 + Tables.splitPartOf(f.partitioning[mb], b)];
    }
    return f.mv[mb];
  }

  /**
   * Writes {@code mv - best} (libvpx vp8_encode_motion_vector): each component halved to quarter
   * pixels. The decoder adds in 16-bit arithmetic, so the difference is taken modulo 2^16.
   */
  private static void writeMv(int mv, int best, byte[] probs, int mb, BoolEncoder e) {
    int dr = (short) (mvRow(mv) - mvRow(best));
    int dc = (short) (mvCol(mv) - mvCol(best));
    if ((dr & 1) != 0 || (dc & 1) != 0 || Math.abs(dr) > 2046 || Math.abs(dc) > 2046) {
      throw new IllegalArgumentException("mb " + mb + ": vector difference (" + dr + ", " + dc
          + ") is not even or exceeds +-2046");
    }
    writeMvComponent(dr >> 1, probs, 0, e);
    writeMvComponent(dc >> 1, probs, Tables.MV_PROBS_PER_COMPONENT, e);
  }

  /** One component (section 17.2, libvpx encode_mvcomponent). */
  private static void writeMvComponent(int v, byte[] p, int off, BoolEncoder e) {
    int x = Math.abs(v);
    if (x < 8) {
      e.writeBool(p[off + Tables.MVP_IS_SHORT] & 0xFF, false);
      e.writeTree(SMALL_MV_TREE, p, off + Tables.MVP_SHORT, x);
      if (x == 0) {
        return;
      }
    } else {
      e.writeBool(p[off + Tables.MVP_IS_SHORT] & 0xFF, true);
      for (int i = 0; i < 3; i++) {
        e.writeBool(p[off + Tables.MVP_BITS + i] & 0xFF, ((x >> i) & 1) != 0);
      }
      for (int i = Tables.MV_LONG_BITS - 1; i > 3; i--) {
        e.writeBool(p[off + Tables.MVP_BITS + i] & 0xFF, ((x >> i) & 1) != 0);
      }
      // Bit 3 is implicit (1) when no higher bit is set: long values are at least 8.
      if ((x & 0xFFF0) != 0) {
        e.writeBool(p[off + Tables.MVP_BITS + 3] & 0xFF, ((x >> 3) & 1) != 0);
      }
    }
    e.writeBool(p[off + Tables.MVP_SIGN] & 0xFF, v < 0);
  }

  // ---------------------------------------------------------------- tokens (section 13)

  private static byte[][] writeTokens(FrameBuilder f) {
    FrameHeader h = f.header();
    int numParts = h.numPartitions();
    BoolEncoder[] parts = new BoolEncoder[numParts];
    for (int i = 0; i < numParts; i++) {
      parts[i] = new BoolEncoder(1024 + f.mbCols * f.mbRows * 64 / numParts);
    }
    int mbCols = f.mbCols;
    byte[] aboveCtx = new byte[mbCols * 9];
    byte[] leftCtx = new byte[9];
    byte[] probs = f.coeffProbs;
    for (int row = 0, mb = 0; row < f.mbRows; row++) {
      BoolEncoder e = parts[row & (numParts - 1)];
      Arrays.fill(leftCtx, (byte) 0);
      for (int col = 0; col < mbCols; col++, mb++) {
        int a = col * 9;
        boolean hasY2 = f.hasY2(mb);
        if (f.skip[mb]) {
          Arrays.fill(aboveCtx, a, a + 8, (byte) 0);
          Arrays.fill(leftCtx, 0, 8, (byte) 0);
          if (hasY2) {
            aboveCtx[a + 8] = 0;
            leftCtx[8] = 0;
          }
          continue;
        }
        if (f.tokensMissing[mb]) {
          // The decoder read no tokens here (its partition had run dry); nothing to write.
          continue;
        }
        int type;
        int first;
        if (hasY2) {
          int nz = writeBlock(f, mb, 24, 1, 0, aboveCtx[a + 8] + leftCtx[8], probs, e);
          aboveCtx[a + 8] = (byte) nz;
          leftCtx[8] = (byte) nz;
          type = 0;
          first = 1;
        } else {
          type = 3;
          first = 0;
        }
        for (int i = 0; i < 16; i++) {
          int ax = a + (i & 3);
          int lx = i >> 2;
          int nz = writeBlock(f, mb, i, type, first, aboveCtx[ax] + leftCtx[lx], probs, e);
          aboveCtx[ax] = (byte) nz;
          leftCtx[lx] = (byte) nz;
        }
        for (int i = 16; i < 24; i++) {
          int plane = i >= 20 ? 2 : 0;
          int ax = a + 4 + plane + (i & 1);
          int lx = 4 + plane + ((i & 3) >> 1);
          int nz = writeBlock(f, mb, i, 2, 0, aboveCtx[ax] + leftCtx[lx], probs, e);
          aboveCtx[ax] = (byte) nz;
          leftCtx[lx] = (byte) nz;
        }
      }
    }
    byte[][] out = new byte[numParts][];
    for (int i = 0; i < numParts; i++) {
      out[i] = parts[i].finish();
    }
    return out;
  }

  /**
   * Writes the tokens of one block (the inverse of libvpx GetCoeffs / RFC 6386 section 13.2) and
   * returns 1 if any token other than an immediate end of block was written (the context its
   * neighbours see), else 0.
   */
  private static int writeBlock(FrameBuilder f, int mb, int b, int type, int first, int ctx, byte[] probs,
      BoolEncoder e) {
    int eob = f.eobs[mb * 25 + b];
    int cbase = mb * 400 + b * 16;
    short[] c = f.coeffs;
    if (eob != 0 && (eob <= first || eob > 16)) {
      throw new IllegalArgumentException("mb " + mb + " block " + b + ": eob " + eob + " must be 0 or "
          + (first + 1) + "..16");
    }
    for (int pos = 0; pos < 16; pos++) {
      if ((pos < first || pos >= eob) && c[cbase + ZIGZAG[pos]] != 0) {
        throw new IllegalArgumentException("mb " + mb + " block " + b + ": nonzero coefficient at zigzag position "
            + pos + " is not coded (eob " + eob + ")");
      }
    }
    int typeBase = type * (Tables.COEFF_BANDS * 33);
    int p = typeBase + BANDS[first] * 33 + ctx * 11;
    e.writeBool(probs[p] & 0xFF, eob != 0);
    if (eob == 0) {
      return 0;
    }
    for (int pos = first; pos < eob; pos++) {
      int v = c[cbase + ZIGZAG[pos]];
      int n = pos + 1;
      if (v == 0) {
        if (n == eob && n < 16) {
          throw new IllegalArgumentException("mb " + mb + " block " + b
              + ": the last coded token is a zero (no end of block can follow a zero)");
        }
        e.writeBool(probs[p + 1] & 0xFF, false);
        p = typeBase + BANDS[n] * 33;
        continue;
      }
      e.writeBool(probs[p + 1] & 0xFF, true);
      int abs = Math.abs(v);
      if (abs > MAX_COEFF) {
        throw new IllegalArgumentException("mb " + mb + " block " + b + ": coefficient " + v + " exceeds +-"
            + MAX_COEFF);
      }
      writeValue(abs, probs, p, e);
      p = typeBase + BANDS[n] * 33 + (abs == 1 ? 11 : 22);
      e.writeBit(v < 0);
      if (n < 16) {
        e.writeBool(probs[p] & 0xFF, n < eob);
      }
    }
    return 1;
  }

  /** The token and extra bits of a nonzero magnitude (section 13.2 coefficient token tree). */
  private static void writeValue(int v, byte[] probs, int p, BoolEncoder e) {
    e.writeBool(probs[p + 2] & 0xFF, v != 1);
    if (v == 1) {
      return;
    }
    if (v <= 4) {
      e.writeBool(probs[p + 3] & 0xFF, false);
      e.writeBool(probs[p + 4] & 0xFF, v != 2);
      if (v != 2) {
        e.writeBool(probs[p + 5] & 0xFF, v == 4);
      }
      return;
    }
    e.writeBool(probs[p + 3] & 0xFF, true);
    if (v <= 10) {
      e.writeBool(probs[p + 6] & 0xFF, false);
      e.writeBool(probs[p + 7] & 0xFF, v >= 7);
      if (v <= 6) {
        e.writeBool(159, v == 6); // DCT_VAL_CATEGORY1: 5 + 1 bit
      } else {
        int x = v - 7; // DCT_VAL_CATEGORY2: 7 + 2 bits
        e.writeBool(165, (x & 2) != 0);
        e.writeBool(145, (x & 1) != 0);
      }
      return;
    }
    e.writeBool(probs[p + 6] & 0xFF, true);
    int cat = v >= 67 ? 3 : v >= 35 ? 2 : v >= 19 ? 1 : 0; // categories 3..6
    int bit1 = cat >> 1;
    int bit0 = cat & 1;
    e.writeBool(probs[p + 8] & 0xFF, bit1 != 0);
    e.writeBool(probs[p + 9 + bit1] & 0xFF, bit0 != 0);
    int extra = v - (3 + (8 << cat));
    int[] cp = CAT_PROBS[cat];
    for (int i = 0; i < cp.length; i++) {
      e.writeBool(cp[i], ((extra >> (cp.length - 1 - i)) & 1) != 0);
    }
  }
}
