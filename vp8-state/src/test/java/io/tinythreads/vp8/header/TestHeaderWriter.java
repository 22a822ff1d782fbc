package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.TestBoolEncoder;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Writes a {@link FrameHeader} as RFC 6386 section 19.2 lays it out, for tests only: an
 * independent rendering of the syntax that the parser must read back field for field.
 */
final class TestHeaderWriter {
  private TestHeaderWriter() {}

  /**
   * A whole frame: tag, key frame start, first partition (the header, then {@code modeBits}
   * zero bits standing in for macroblock data), partition sizes and the token partitions.
   */
  static byte[] frame(FrameHeader h, byte[][] tokenPartitions, int modeBits) {
    TestBoolEncoder e = new TestBoolEncoder();
    writeCompressed(e, h);
    for (int i = 0; i < modeBits; i++) {
      e.writeBit(false);
    }
    byte[] first = e.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameTag t = new FrameTag(h.tag().keyFrame(), h.tag().version(), h.tag().showFrame(), first.length);
    out.writeBytes(t.toBytes());
    h.keyFrameStart().ifPresent(s -> out.writeBytes(s.toBytes()));
    out.writeBytes(first);
    for (int i = 0; i < tokenPartitions.length - 1; i++) {
      int n = tokenPartitions[i].length;
      out.write(n);
      out.write(n >> 8);
      out.write(n >> 16);
    }
    for (byte[] p : tokenPartitions) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static void writeCompressed(TestBoolEncoder e, FrameHeader h) {
    boolean key = h.keyFrame();
    if (key) {
      e.writeLiteral(h.colorSpace(), 1);
      e.writeLiteral(h.clampingType(), 1);
    }
    e.writeBit(h.segmentationEnabled());
    h.segmentation().ifPresent(s -> {
      e.writeBit(s.updateMbSegmentationMap());
      e.writeBit(s.featureData().isPresent());
      s.featureData().ifPresent(d -> {
        e.writeBit(d.absolute());
        writeDeltas(e, d.quantizer(), 7);
        writeDeltas(e, d.loopFilter(), 6);
      });
      for (Optional<Integer> p : s.mapProbs()) {
        e.writeBit(p.isPresent());
        p.ifPresent(v -> e.writeLiteral(v, 8));
      }
    });
    e.writeLiteral(h.filterType(), 1);
    e.writeLiteral(h.loopFilterLevel(), 6);
    e.writeLiteral(h.sharpnessLevel(), 3);
    e.writeBit(h.loopFilterAdjEnable());
    if (h.loopFilterAdjEnable()) {
      e.writeBit(h.modeRefLfDeltaUpdate().isPresent());
      h.modeRefLfDeltaUpdate().ifPresent(u -> {
        writeDeltas(e, u.refFrameDeltas(), 6);
        writeDeltas(e, u.mbModeDeltas(), 6);
      });
    }
    e.writeLiteral(h.log2NbrOfDctPartitions(), 2);
    QuantIndices q = h.quantIndices();
    e.writeLiteral(q.yAcQi(), 7);
    writeDeltas(e, List.of(q.yDcDelta(), q.y2DcDelta(), q.y2AcDelta(), q.uvDcDelta(), q.uvAcDelta()), 4);
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
    for (int i = 0; i < Tables.NUM_COEFF_PROBS; i++) {
      boolean u = h.tokenProbUpdate().updated(i);
      e.writeBool(Tables.coeffUpdateProb(i), u);
      if (u) {
        e.writeLiteral(h.tokenProbUpdate().value(i), 8);
      }
    }
    e.writeBit(h.mbNoCoeffSkip());
    if (h.mbNoCoeffSkip()) {
      e.writeLiteral(h.probSkipFalse(), 8);
    }
    if (!key) {
      e.writeLiteral(h.probIntra(), 8);
      e.writeLiteral(h.probLast(), 8);
      e.writeLiteral(h.probGf(), 8);
      e.writeBit(h.intra16x16Probs().isPresent());
      h.intra16x16Probs().ifPresent(l -> l.forEach(v -> e.writeLiteral(v, 8)));
      e.writeBit(h.intraChromaProbs().isPresent());
      h.intraChromaProbs().ifPresent(l -> l.forEach(v -> e.writeLiteral(v, 8)));
      for (int i = 0; i < MvProbUpdate.COUNT; i++) {
        boolean u = h.mvProbUpdate().updated(i);
        e.writeBool(Tables.mvUpdateProb(i), u);
        if (u) {
          e.writeLiteral(h.mvProbUpdate().rawValue(i), 7);
        }
      }
    }
  }

  private static void writeDeltas(TestBoolEncoder e, List<Optional<Delta>> deltas, int bits) {
    for (Optional<Delta> d : deltas) {
      e.writeBit(d.isPresent());
      d.ifPresent(v -> {
        e.writeLiteral(v.magnitude(), bits);
        e.writeBit(v.negative());
      });
    }
  }
}
