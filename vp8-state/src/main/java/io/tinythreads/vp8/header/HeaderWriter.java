package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolEncoder;
import java.util.List;
import java.util.Optional;

/**
 * Writes the frame header at the start of the first partition (RFC 6386 section 19.2), group by
 * group, exactly as the {@code read} methods of the header records parse it: every field is
 * written as it is held, including optional values coded as "not updated", a minus sign on a zero
 * delta, and token/motion vector probability updates whose values equal the old ones. So
 * {@code write(FrameHeader.read(x))} reproduces the header bits of {@code x}.
 *
 * <p>The uncompressed part (frame tag, key frame start code and size) and the partition size table
 * are not bool-coded; the frame writer assembles them around the partitions.
 */
public final class HeaderWriter {
  private HeaderWriter() {}

  /**
   * Writes the compressed frame header (section 19.2, from color_space on key frames or
   * segmentation_enabled on interframes, to the end of mv_prob_update()).
   */
  public static void write(FrameHeader h, BoolEncoder e) {
    checkRepresentable(h);
    boolean key = h.keyFrame();
    if (key) {
      e.writeLiteral(h.colorSpace(), 1);
      e.writeLiteral(h.clampingType(), 1);
    }
    e.writeBit(h.segmentationEnabled());
    h.segmentation().ifPresent(s -> write(s, e));
    e.writeLiteral(h.filterType(), 1);
    e.writeLiteral(h.loopFilterLevel(), 6);
    e.writeLiteral(h.sharpnessLevel(), 3);
    e.writeBit(h.loopFilterAdjEnable());
    if (h.loopFilterAdjEnable()) {
      e.writeBit(h.modeRefLfDeltaUpdate().isPresent());
      h.modeRefLfDeltaUpdate().ifPresent(u -> write(u, e));
    }
    e.writeLiteral(h.log2NbrOfDctPartitions(), 2);
    write(h.quantIndices(), e);
    if (!key) {
      e.writeBit(h.refreshGoldenFrame());
      e.writeBit(h.refreshAlternateFrame());
      if (!h.refreshGoldenFrame()) {
        e.writeLiteral(h.copyBufferToGolden(), 2);
      }
      if (!h.refreshAlternateFrame()) {
        e.writeLiteral(h.copyBufferToAlternate(), 2);
      }
      e.writeBit(h.signBiasGolden());
      e.writeBit(h.signBiasAlternate());
    }
    e.writeBit(h.refreshEntropyProbs());
    if (!key) {
      e.writeBit(h.refreshLast());
    }
    write(h.tokenProbUpdate(), e);
    e.writeBit(h.mbNoCoeffSkip());
    if (h.mbNoCoeffSkip()) {
      e.writeLiteral(h.probSkipFalse(), 8);
    }
    if (!key) {
      e.writeLiteral(h.probIntra(), 8);
      e.writeLiteral(h.probLast(), 8);
      e.writeLiteral(h.probGf(), 8);
      writeProbs(h.intra16x16Probs(), e);
      writeProbs(h.intraChromaProbs(), e);
      write(h.mvProbUpdate(), e);
    }
  }

  /**
   * Rejects header values that the syntax cannot carry (they would not survive a write and read):
   * fields a key frame implies must hold the implied values, key-frame-only fields are 0 on
   * interframes, and prob_skip_false is 0 when not coded.
   */
  private static void checkRepresentable(FrameHeader h) {
    if (h.keyFrame()) {
      if (!h.refreshGoldenFrame() || !h.refreshAlternateFrame() || !h.refreshLast()
          || h.copyBufferToGolden() != 0 || h.copyBufferToAlternate() != 0
          || h.signBiasGolden() || h.signBiasAlternate()) {
        throw new IllegalArgumentException("key frames refresh all references, copy nothing and have no sign bias");
      }
      if (h.probIntra() != 0 || h.probLast() != 0 || h.probGf() != 0 || h.intra16x16Probs().isPresent()
          || h.intraChromaProbs().isPresent() || !h.mvProbUpdate().equals(MvProbUpdate.none())) {
        throw new IllegalArgumentException(
            "key frames code no prob_intra/prob_last/prob_gf and no mode or motion vector probability updates");
      }
    } else if (h.colorSpace() != 0 || h.clampingType() != 0) {
      throw new IllegalArgumentException("color_space and clamping_type are coded on key frames only");
    }
    if (h.colorSpace() < 0 || h.colorSpace() > 1 || h.clampingType() < 0 || h.clampingType() > 1) {
      throw new IllegalArgumentException("color_space and clamping_type are 1-bit fields");
    }
    if (!h.mbNoCoeffSkip() && h.probSkipFalse() != 0) {
      throw new IllegalArgumentException("prob_skip_false is coded only when mb_no_coeff_skip is 1");
    }
    for (int p : new int[] {h.probSkipFalse(), h.probIntra(), h.probLast(), h.probGf()}) {
      if (p < 0 || p > 255) {
        throw new IllegalArgumentException("8-bit probability out of range: " + p);
      }
    }
  }

  /** update_segmentation() (section 9.3). */
  public static void write(SegmentationUpdate s, BoolEncoder e) {
    e.writeBit(s.updateMbSegmentationMap());
    e.writeBit(s.featureData().isPresent());
    s.featureData().ifPresent(d -> {
      e.writeBit(d.absolute());
      writeFlaggedDeltas(d.quantizer(), 7, e);
      writeFlaggedDeltas(d.loopFilter(), 6, e);
    });
    for (Optional<Integer> p : s.mapProbs()) {
      e.writeBit(p.isPresent());
      if (p.isPresent()) {
        e.writeLiteral(p.get(), 8);
      }
    }
  }

  /** The delta part of mb_lf_adjustments() (section 9.6), after mode_ref_lf_delta_update = 1. */
  public static void write(ModeRefLfDeltaUpdate u, BoolEncoder e) {
    writeFlaggedDeltas(u.refFrameDeltas(), 6, e);
    writeFlaggedDeltas(u.mbModeDeltas(), 6, e);
  }

  /** quant_indices() (section 9.6). */
  public static void write(QuantIndices q, BoolEncoder e) {
    e.writeLiteral(q.yAcQi(), 7);
    for (Optional<Delta> d : List.of(q.yDcDelta(), q.y2DcDelta(), q.y2AcDelta(), q.uvDcDelta(), q.uvAcDelta())) {
      writeFlaggedDelta(d, 4, e);
    }
  }

  /** token_prob_update() (section 13.4): one flag per probability at its update probability. */
  public static void write(TokenProbUpdate t, BoolEncoder e) {
    for (int i = 0; i < Tables.NUM_COEFF_PROBS; i++) {
      boolean updated = t.updated(i);
      e.writeBool(Tables.coeffUpdateProb(i), updated);
      if (updated) {
        e.writeLiteral(t.value(i), 8);
      }
    }
  }

  /** mv_prob_update() (section 17.2): one flag per probability, then a 7-bit value. */
  public static void write(MvProbUpdate m, BoolEncoder e) {
    for (int i = 0; i < MvProbUpdate.COUNT; i++) {
      boolean updated = m.updated(i);
      e.writeBool(Tables.mvUpdateProb(i), updated);
      if (updated) {
        e.writeLiteral(m.rawValue(i), 7);
      }
    }
  }

  private static void writeProbs(Optional<List<Integer>> probs, BoolEncoder e) {
    e.writeBit(probs.isPresent());
    if (probs.isPresent()) {
      for (int p : probs.get()) {
        e.writeLiteral(p, 8);
      }
    }
  }

  private static void writeFlaggedDeltas(List<Optional<Delta>> deltas, int bits, BoolEncoder e) {
    for (Optional<Delta> d : deltas) {
      writeFlaggedDelta(d, bits, e);
    }
  }

  /** A flag, then (if set) the magnitude L(bits) and the sign L(1), kept as coded. */
  private static void writeFlaggedDelta(Optional<Delta> d, int bits, BoolEncoder e) {
    e.writeBit(d.isPresent());
    if (d.isPresent()) {
      e.writeLiteral(d.get().magnitude(), bits);
      e.writeBit(d.get().negative());
    }
  }
}
