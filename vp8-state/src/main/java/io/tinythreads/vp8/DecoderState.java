package io.tinythreads.vp8;

import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;

/**
 * Everything a VP8 decoder carries from one frame to the next apart from the reference frames
 * (RFC 6386 sections 9.3, 9.6, 9.7, 9.10, 9.11, 13.4, 16.2, 17.2): the frame size, the persistent
 * probability tables, the segment feature data and the per-macroblock segment map, and the loop
 * filter deltas. Values that are re-coded in every frame header (quantizer deltas, prob_intra,
 * sign biases, the enable flags) are not state.
 *
 * <p>Immutable. {@link #equals} compares content, {@link #hash64} is a content hash; both cover
 * exactly the fields above. {@link #initial()} is the state before the first key frame.
 */
public final class DecoderState {
  private final int width;
  private final int height;
  private final int horizontalScale;
  private final int verticalScale;
  final byte[] coeffProbs;
  final byte[] yModeProbs;
  final byte[] uvModeProbs;
  final byte[] mvProbs;
  final boolean segmentAbsolute;
  final byte[] segmentQuant;
  final byte[] segmentLf;
  final byte[] segmentMap;
  final byte[] refLfDeltas;
  final byte[] modeLfDeltas;

  /** Takes ownership of the arrays (package-private: callers pass fresh arrays). */
  DecoderState(
      int width,
      int height,
      int horizontalScale,
      int verticalScale,
      byte[] coeffProbs,
      byte[] yModeProbs,
      byte[] uvModeProbs,
      byte[] mvProbs,
      boolean segmentAbsolute,
      byte[] segmentQuant,
      byte[] segmentLf,
      byte[] segmentMap,
      byte[] refLfDeltas,
      byte[] modeLfDeltas) {
    this.width = width;
    this.height = height;
    this.horizontalScale = horizontalScale;
    this.verticalScale = verticalScale;
    this.coeffProbs = coeffProbs;
    this.yModeProbs = yModeProbs;
    this.uvModeProbs = uvModeProbs;
    this.mvProbs = mvProbs;
    this.segmentAbsolute = segmentAbsolute;
    this.segmentQuant = segmentQuant;
    this.segmentLf = segmentLf;
    this.segmentMap = segmentMap;
    this.refLfDeltas = refLfDeltas;
    this.modeLfDeltas = modeLfDeltas;
  }

  /** The state before any key frame: no size, default probabilities. */
  public static DecoderState initial() {
    return new DecoderState(0, 0, 0, 0, Tables.defaultCoeffProbs(), Tables.defaultYModeProbs(),
        Tables.defaultUvModeProbs(), Tables.defaultMvProbs(), false, new byte[4], new byte[4], new byte[0],
        new byte[4], new byte[4]);
  }

  /**
   * Builds a state from its parts (for deserialization). Arrays are copied and checked.
   *
   * @param width frame width, 0 for "no key frame yet", else 1..16383
   * @param height frame height, 0 or 1..16383
   * @param horizontalScale 0..3
   * @param verticalScale 0..3
   * @param coeffProbs 1056 token probabilities [type][band][ctx][node]
   * @param yModeProbs 4 interframe luma mode probabilities
   * @param uvModeProbs 3 interframe chroma mode probabilities
   * @param mvProbs 2 x 19 motion vector probabilities
   * @param segmentAbsolute segment feature data are absolute values (else deltas)
   * @param segmentQuant 4 segment quantizer values (-127..127)
   * @param segmentLf 4 segment loop filter values (-63..63)
   * @param segmentMap one segment id 0..3 per macroblock, raster order ((w+15)/16 * (h+15)/16 entries)
   * @param refLfDeltas 4 loop filter deltas by reference frame (intra, last, golden, altref), -63..63
   * @param modeLfDeltas 4 loop filter deltas by mode (B_PRED, ZEROMV, NEAREST/NEAR/NEW, SPLITMV), -63..63
   */
  public static DecoderState of(
      int width,
      int height,
      int horizontalScale,
      int verticalScale,
      byte[] coeffProbs,
      byte[] yModeProbs,
      byte[] uvModeProbs,
      byte[] mvProbs,
      boolean segmentAbsolute,
      byte[] segmentQuant,
      byte[] segmentLf,
      byte[] segmentMap,
      byte[] refLfDeltas,
      byte[] modeLfDeltas) {
    if (width < 0 || width > 0x3FFF || height < 0 || height > 0x3FFF || (width == 0) != (height == 0)) {
      throw new IllegalArgumentException("bad size " + width + "x" + height);
    }
    if (horizontalScale < 0 || horizontalScale > 3 || verticalScale < 0 || verticalScale > 3) {
      throw new IllegalArgumentException("scale codes must be 0..3");
    }
    check("coeffProbs", coeffProbs, Tables.NUM_COEFF_PROBS);
    check("yModeProbs", yModeProbs, 4);
    check("uvModeProbs", uvModeProbs, 3);
    check("mvProbs", mvProbs, 2 * Tables.MV_PROBS_PER_COMPONENT);
    check("segmentQuant", segmentQuant, 4);
    check("segmentLf", segmentLf, 4);
    check("refLfDeltas", refLfDeltas, 4);
    check("modeLfDeltas", modeLfDeltas, 4);
    int mbs = ((width + 15) >> 4) * ((height + 15) >> 4);
    check("segmentMap", segmentMap, mbs);
    for (byte b : segmentMap) {
      if (b < 0 || b > 3) {
        throw new IllegalArgumentException("segment ids must be 0..3: " + b);
      }
    }
    for (byte b : mvProbs) {
      if (b == 0) {
        throw new IllegalArgumentException("motion vector probabilities are never 0");
      }
    }
    for (int i = 0; i < 4; i++) {
      if (segmentLf[i] < -63 || segmentLf[i] > 63 || refLfDeltas[i] < -63 || refLfDeltas[i] > 63
          || modeLfDeltas[i] < -63 || modeLfDeltas[i] > 63 || segmentQuant[i] == -128) {
        throw new IllegalArgumentException("segment or loop filter delta out of range");
      }
    }
    return new DecoderState(width, height, horizontalScale, verticalScale, coeffProbs.clone(), yModeProbs.clone(),
        uvModeProbs.clone(), mvProbs.clone(), segmentAbsolute, segmentQuant.clone(), segmentLf.clone(),
        segmentMap.clone(), refLfDeltas.clone(), modeLfDeltas.clone());
  }

  private static void check(String name, byte[] a, int len) {
    if (a == null || a.length != len) {
      throw new IllegalArgumentException(name + " must have " + len + " entries");
    }
  }

  /** True once a key frame has been decoded (the size is known). */
  public boolean hasKeyFrame() {
    return width > 0;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int horizontalScale() {
    return horizontalScale;
  }

  public int verticalScale() {
    return verticalScale;
  }

  public int mbCols() {
    return (width + 15) >> 4;
  }

  public int mbRows() {
    return (height + 15) >> 4;
  }

  /** A copy of the 1056 token probabilities, flat [type][band][ctx][node]. */
  public byte[] coeffProbs() {
    return coeffProbs.clone();
  }

  public byte[] yModeProbs() {
    return yModeProbs.clone();
  }

  public byte[] uvModeProbs() {
    return uvModeProbs.clone();
  }

  /** A copy of the 2 x 19 motion vector probabilities (row component first). */
  public byte[] mvProbs() {
    return mvProbs.clone();
  }

  public boolean segmentAbsolute() {
    return segmentAbsolute;
  }

  public byte[] segmentQuant() {
    return segmentQuant.clone();
  }

  public byte[] segmentLf() {
    return segmentLf.clone();
  }

  /** A copy of the segment map, one id per macroblock in raster order. */
  public byte[] segmentMap() {
    return segmentMap.clone();
  }

  public byte[] refLfDeltas() {
    return refLfDeltas.clone();
  }

  public byte[] modeLfDeltas() {
    return modeLfDeltas.clone();
  }

  /** A 64-bit hash of the content (stable across JVMs and versions of this class's layout). */
  public long hash64() {
    Hash64 h = new Hash64(0x5650385374617465L); // "VP8State"
    h.updateInt(width).updateInt(height).updateInt(horizontalScale).updateInt(verticalScale);
    h.update(coeffProbs).update(yModeProbs).update(uvModeProbs).update(mvProbs);
    h.updateBoolean(segmentAbsolute).update(segmentQuant).update(segmentLf);
    h.updateInt(segmentMap.length).update(segmentMap);
    h.update(refLfDeltas).update(modeLfDeltas);
    return h.finish();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecoderState s
        && width == s.width
        && height == s.height
        && horizontalScale == s.horizontalScale
        && verticalScale == s.verticalScale
        && segmentAbsolute == s.segmentAbsolute
        && Arrays.equals(coeffProbs, s.coeffProbs)
        && Arrays.equals(yModeProbs, s.yModeProbs)
        && Arrays.equals(uvModeProbs, s.uvModeProbs)
        && Arrays.equals(mvProbs, s.mvProbs)
        && Arrays.equals(segmentQuant, s.segmentQuant)
        && Arrays.equals(segmentLf, s.segmentLf)
        && Arrays.equals(segmentMap, s.segmentMap)
        && Arrays.equals(refLfDeltas, s.refLfDeltas)
        && Arrays.equals(modeLfDeltas, s.modeLfDeltas);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hash64());
  }

  @Override
  public String toString() {
    return String.format("DecoderState[%dx%d, hash=%016x]", width, height, hash64());
  }
}
