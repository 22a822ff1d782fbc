package io.tinythreads.vp8;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.header.Delta;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.FrameTag;
import io.tinythreads.vp8.header.KeyFrameStart;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.SegmentationUpdate;
import io.tinythreads.vp8.header.Tables;
import io.tinythreads.vp8.header.TokenProbUpdate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The writer as an encoder uses it: frames built from scratch with random (valid) headers, modes,
 * motion vectors and coefficients are written, parsed back by the decoder's parser (the oracle)
 * and compared element by element, then decoded; invalid content is refused with a message
 * naming the macroblock.
 */
class FrameBuilderTest {
  private static final int[][] SPLIT_FIRST_BLOCK = {
    {0, 8}, {0, 2}, {0, 2, 8, 10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
  };

  @Test
  void randomFramesSurviveWriteAndParse() {
    Random rnd = new Random(20261122);
    for (int trial = 0; trial < 24; trial++) {
      int w = 1 + rnd.nextInt(trial < 12 ? 48 : 200);
      int h = 1 + rnd.nextInt(trial < 12 ? 48 : 120);
      Decoder decoder = new Decoder();
      for (int frame = 0; frame < 5; frame++) {
        boolean key = frame == 0;
        DecoderState before = decoder.state();
        FrameHeader header = randomHeader(rnd, key, w, h);
        FrameBuilder b;
        if (rnd.nextBoolean()) {
          b = FrameBuilder.create(header, before);
        } else {
          // Encoder order: macroblocks first, probability updates chosen afterwards.
          b = FrameBuilder.create(withoutUpdates(header), before);
        }
        fill(b, rnd, header);
        if (b.header() != header) {
          b.header(header);
        }
        byte[] bytes = FrameWriter.write(b);
        ParsedFrame parsed = Decoder.parse(bytes, before);
        String where = "trial " + trial + " frame " + frame + " (" + w + "x" + h + ")";
        assertMatches(b, parsed, where);
        assertThat(FrameWriter.write(parsed)).as(where).isEqualTo(bytes);
        assertThat(FrameWriter.write(FrameBuilder.from(parsed, before))).as(where).isEqualTo(bytes);
        decoder.decode(bytes);
      }
    }
  }

  @Test
  void mvCandidatesAreTheVectorsTheDecoderInfers() {
    Random rnd = new Random(5);
    Decoder decoder = new Decoder();
    FrameHeader kh = randomHeader(rnd, true, 64, 64);
    FrameBuilder kb = FrameBuilder.create(kh, decoder.state());
    fill(kb, rnd, kh);
    decoder.decode(FrameWriter.write(kb));
    FrameHeader ih = randomHeader(rnd, false, 64, 64);
    FrameBuilder b = FrameBuilder.create(ih, decoder.state());
    // Neighbours with vectors, then macroblock 5 (row 1, col 1) as NEARESTMV / NEARMV.
    b.inter(0, Tables.LAST_FRAME, Tables.NEWMV, packMv(8, -16));
    b.inter(1, Tables.GOLDEN_FRAME, Tables.NEWMV, packMv(24, 40));
    b.inter(4, Tables.LAST_FRAME, Tables.NEWMV, packMv(8, -16));
    for (int mode : new int[] {Tables.NEARESTMV, Tables.NEARMV}) {
      FrameBuilder.MvCandidates c = b.mvCandidates(5, Tables.LAST_FRAME);
      b.inter(5, Tables.LAST_FRAME, mode, mode == Tables.NEARESTMV ? c.nearest() : c.near());
      ParsedFrame p = Decoder.parse(FrameWriter.write(b), decoder.state());
      assertThat(p.yMode(5)).isEqualTo(mode);
      assertThat(p.mv(5)).isEqualTo(mode == Tables.NEARESTMV ? c.nearest() : c.near());
    }
  }

  @Test
  void refusesWhatTheSyntaxCannotCarry() {
    Random rnd = new Random(9);
    Decoder decoder = new Decoder();
    FrameHeader kh = header(rnd, true, 32, 32, false);
    FrameBuilder k = FrameBuilder.create(kh, decoder.state());
    decoder.decode(FrameWriter.write(k));

    FrameBuilder key = FrameBuilder.create(kh, DecoderState.initial());
    key.inter(0, Tables.LAST_FRAME, Tables.ZEROMV, 0);
    assertThatThrownBy(() -> FrameWriter.write(key)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mb 0").hasMessageContaining("intra");

    FrameHeader ih = header(rnd, false, 32, 32, false);
    FrameBuilder b = FrameBuilder.create(ih, decoder.state());
    b.inter(3, Tables.LAST_FRAME, Tables.NEARESTMV, packMv(2, 2));
    assertThatThrownBy(() -> FrameWriter.write(b)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mb 3").hasMessageContaining("NEARESTMV");
    b.inter(3, Tables.LAST_FRAME, Tables.NEWMV, packMv(3, 0));
    assertThatThrownBy(() -> FrameWriter.write(b)).hasMessageContaining("mb 3").hasMessageContaining("not even");
    b.inter(3, Tables.LAST_FRAME, Tables.ZEROMV, 0);

    short[] c = new short[16];
    c[0] = 3000;
    b.block(2, 16, c);
    assertThatThrownBy(() -> FrameWriter.write(b)).hasMessageContaining("mb 2 block 16").hasMessageContaining("3000");
    c[0] = 0;
    c[Tables.zigzag(5)] = 4;
    b.block(2, 16, c, 7); // a zero token cannot end a block
    assertThatThrownBy(() -> FrameWriter.write(b)).hasMessageContaining("mb 2 block 16");
    b.block(2, 16, c, 3); // a nonzero coefficient beyond the end of block
    assertThatThrownBy(() -> FrameWriter.write(b)).hasMessageContaining("not coded");
    b.block(2, 16, c);
    b.intra(1, Tables.TM_PRED, Tables.DC_PRED);
    short[] dc = new short[16];
    dc[0] = 1;
    b.block(1, 0, dc); // Y2 carries the DC of macroblocks with Y2
    assertThatThrownBy(() -> FrameWriter.write(b)).hasMessageContaining("mb 1 block 0");
    b.clearCoefficients(1);

    FrameBuilder noSkip = FrameBuilder.create(copy(ih, ih.tag(), TokenProbUpdate.none(), false), decoder.state());
    noSkip.skip(0, true);
    assertThatThrownBy(() -> FrameWriter.write(noSkip)).hasMessageContaining("mb 0")
        .hasMessageContaining("mb_no_coeff_skip");
    assertThatThrownBy(() -> b.intra(99, Tables.DC_PRED, Tables.DC_PRED)).hasMessageContaining("mb must be");
    assertThatThrownBy(() -> b.split(0, Tables.LAST_FRAME, Tables.SPLIT_16X8, new int[] {0}, new int[] {0}))
        .hasMessageContaining("needs 2");
    FrameBuilder fromParsed = FrameBuilder.from(Decoder.parse(FrameWriter.write(b), decoder.state()));
    assertThatThrownBy(() -> fromParsed.header(ih)).isInstanceOf(IllegalStateException.class);
  }

  // ------------------------------------------------------------------ random content

  private static void fill(FrameBuilder b, Random rnd, FrameHeader finalHeader) {
    boolean key = b.header().keyFrame();
    int mbs = b.mbCols() * b.mbRows();
    for (int mb = 0; mb < mbs; mb++) {
      b.segmentId(mb, rnd.nextInt(4));
      b.skip(mb, finalHeader.mbNoCoeffSkip() && rnd.nextInt(4) == 0);
      if (key || rnd.nextInt(5) == 0) {
        int y = rnd.nextInt(5);
        if (y == Tables.B_PRED) {
          int[] sub = new int[16];
          for (int i = 0; i < 16; i++) {
            sub[i] = rnd.nextInt(10);
          }
          b.bPred(mb, sub, rnd.nextInt(4));
        } else {
          b.intra(mb, y, rnd.nextInt(4));
        }
      } else {
        int ref = 1 + rnd.nextInt(3);
        FrameBuilder.MvCandidates c = b.mvCandidates(mb, ref);
        switch (rnd.nextInt(5)) {
          case 0 -> b.inter(mb, ref, Tables.NEARESTMV, c.nearest());
          case 1 -> b.inter(mb, ref, Tables.NEARMV, c.near());
          case 2 -> b.inter(mb, ref, Tables.ZEROMV, 0);
          case 3 -> b.inter(mb, ref, Tables.NEWMV, newMv(rnd, c.best()));
          default -> split(b, rnd, mb, ref, c.best());
        }
      }
      randomCoefficients(b, rnd, mb);
    }
  }

  private static int newMv(Random rnd, int best) {
    int range = rnd.nextInt(8) == 0 ? 1023 : 40;
    int dr = rnd.nextInt(2 * range + 1) - range;
    int dc = rnd.nextInt(2 * range + 1) - range;
    return packMv((short) (mvRow(best) + 2 * dr), (short) (mvCol(best) + 2 * dc));
  }

  /** A SPLITMV macroblock whose LEFT4X4/ABOVE4X4 partitions carry the vectors the decoder infers. */
  private static void split(FrameBuilder b, Random rnd, int mb, int ref, int best) {
    int s = rnd.nextInt(4);
    int[] first = SPLIT_FIRST_BLOCK[s];
    int[] refs = new int[first.length];
    int[] mvs = new int[first.length];
    int[] blockMvs = new int[16];
    int col = mb % b.mbCols();
    for (int j = 0; j < first.length; j++) {
      int k = first[j];
      int left = (k & 3) != 0 ? blockMvs[k - 1] : col > 0 ? b.blockMv(mb - 1, k + 3) : 0;
      int above = k >= 4 ? blockMvs[k - 4] : mb >= b.mbCols() ? b.blockMv(mb - b.mbCols(), k + 12) : 0;
      refs[j] = rnd.nextInt(4);
      mvs[j] = switch (refs[j]) {
        case Tables.LEFT4X4 -> left;
        case Tables.ABOVE4X4 -> above;
        case Tables.ZERO4X4 -> 0;
        default -> newMv(rnd, best);
      };
      for (int blk = 0; blk < 16; blk++) {
        if (Tables.splitPartOf(s, blk) == j) {
          blockMvs[blk] = mvs[j];
        }
      }
    }
    b.split(mb, ref, s, refs, mvs);
  }

  private static void randomCoefficients(FrameBuilder b, Random rnd, int mb) {
    boolean y2 = b.hasY2(mb);
    for (int blk = 0; blk < 25; blk++) {
      short[] c = new short[16];
      if (blk == 24 && !y2 || rnd.nextInt(3) == 0) {
        b.block(mb, blk, c);
        continue;
      }
      int first = blk < 16 && y2 ? 1 : 0;
      int eob = first + 1 + rnd.nextInt(16 - first);
      for (int pos = first; pos < eob; pos++) {
        c[Tables.zigzag(pos)] = (short) randomValue(rnd);
      }
      if (c[Tables.zigzag(eob - 1)] == 0 && (eob < 16 || rnd.nextBoolean())) {
        c[Tables.zigzag(eob - 1)] = (short) (rnd.nextBoolean() ? 1 : -1);
      }
      b.block(mb, blk, c, eob);
    }
  }

  private static int randomValue(Random rnd) {
    int v = switch (rnd.nextInt(10)) {
      case 0, 1, 2 -> 0;
      case 3, 4 -> 1;
      case 5 -> 2 + rnd.nextInt(3);
      case 6 -> 5 + rnd.nextInt(6);
      case 7 -> 11 + rnd.nextInt(56);
      case 8 -> 67 + rnd.nextInt(200);
      default -> 67 + rnd.nextInt(FrameWriter.MAX_COEFF - 66);
    };
    return rnd.nextBoolean() ? -v : v;
  }

  private static void assertMatches(FrameBuilder b, ParsedFrame p, String where) {
    FrameHeader h = b.header();
    assertThat(p.header().tag().keyFrame()).isEqualTo(h.keyFrame());
    assertThat(normalized(p.header())).as(where).isEqualTo(normalized(h));
    assertThat(p.coeffProbs()).as(where).isEqualTo(b.coeffProbs());
    assertThat(p.mvProbs()).as(where).isEqualTo(b.mvProbs());
    for (int mb = 0; mb < b.mbCols() * b.mbRows(); mb++) {
      String at = where + " mb " + mb;
      if (h.updateMbSegmentationMap()) {
        assertThat(p.segmentId(mb)).as(at).isEqualTo(b.segmentId(mb));
      }
      assertThat(p.skipCoded(mb)).as(at).isEqualTo(b.skip(mb));
      assertThat(p.yMode(mb)).as(at).isEqualTo(b.yMode(mb));
      assertThat(p.refFrame(mb)).as(at).isEqualTo(b.refFrame(mb));
      if (b.refFrame(mb) == Tables.INTRA_FRAME) {
        assertThat(p.uvMode(mb)).as(at).isEqualTo(b.uvMode(mb));
        if (b.yMode(mb) == Tables.B_PRED) {
          for (int i = 0; i < 16; i++) {
            assertThat(p.bMode(mb, i)).as(at).isEqualTo(b.bMode(mb, i));
          }
        }
      } else {
        assertThat(p.mv(mb)).as(at).isEqualTo(b.mv(mb));
        for (int i = 0; i < 16; i++) {
          assertThat(p.subMv(mb, i)).as(at + " block " + i).isEqualTo(b.blockMv(mb, i));
        }
        if (b.yMode(mb) == Tables.SPLITMV) {
          assertThat(p.partitioning(mb)).as(at).isEqualTo(b.partitioning(mb));
          for (int j = 0; j < Tables.splitCount(b.partitioning(mb)); j++) {
            assertThat(p.subMvRef(mb, j)).as(at).isEqualTo(b.subMvRef(mb, j));
          }
        }
      }
      if (!b.skip(mb)) {
        for (int blk = 0; blk < 25; blk++) {
          assertThat(p.eob(mb, blk)).as(at + " block " + blk).isEqualTo(b.eob(mb, blk));
          for (int i = 0; i < 16; i++) {
            assertThat(p.coeff(mb, blk, i)).as(at + " block " + blk).isEqualTo(b.coeff(mb, blk, i));
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ random headers

  private static FrameHeader randomHeader(Random rnd, boolean key, int w, int h) {
    return header(rnd, key, w, h, true);
  }

  private static Optional<Delta> delta(Random rnd, int maxMagnitude) {
    return rnd.nextBoolean() ? Optional.empty()
        : Optional.of(new Delta(rnd.nextInt(maxMagnitude + 1), rnd.nextBoolean()));
  }

  private static List<Optional<Delta>> deltas(Random rnd, int maxMagnitude) {
    List<Optional<Delta>> l = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      l.add(delta(rnd, maxMagnitude));
    }
    return l;
  }

  private static Optional<List<Integer>> probs(Random rnd, int n) {
    if (rnd.nextBoolean()) {
      return Optional.empty();
    }
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(1 + rnd.nextInt(255));
    }
    return Optional.of(l);
  }

  static FrameHeader header(Random rnd, boolean key, int w, int h, boolean updates) {
    FrameTag tag = new FrameTag(key, rnd.nextInt(4), key || rnd.nextInt(4) != 0, 0);
    Optional<KeyFrameStart> start = key ? Optional.of(new KeyFrameStart(w, rnd.nextInt(4), h, rnd.nextInt(4)))
        : Optional.empty();
    boolean segEnabled = rnd.nextBoolean();
    Optional<SegmentationUpdate> seg = Optional.empty();
    if (segEnabled) {
      boolean updateMap = rnd.nextBoolean();
      Optional<SegmentationUpdate.SegmentFeatureData> data = rnd.nextBoolean() ? Optional.empty()
          : Optional.of(new SegmentationUpdate.SegmentFeatureData(rnd.nextBoolean(), deltas(rnd, 127),
              deltas(rnd, 63)));
      List<Optional<Integer>> mapProbs = new ArrayList<>();
      if (updateMap) {
        for (int i = 0; i < 3; i++) {
          mapProbs.add(rnd.nextBoolean() ? Optional.empty() : Optional.of(rnd.nextInt(256)));
        }
      }
      seg = Optional.of(new SegmentationUpdate(updateMap, data, mapProbs));
    }
    boolean adj = rnd.nextBoolean();
    Optional<ModeRefLfDeltaUpdate> lf = adj && rnd.nextBoolean()
        ? Optional.of(new ModeRefLfDeltaUpdate(deltas(rnd, 63), deltas(rnd, 63))) : Optional.empty();
    int log2Parts = rnd.nextInt(4);
    QuantIndices q = new QuantIndices(rnd.nextInt(128), delta(rnd, 15), delta(rnd, 15), delta(rnd, 15),
        delta(rnd, 15), delta(rnd, 15));
    boolean refreshGolden = key || rnd.nextBoolean();
    boolean refreshAlt = key || rnd.nextBoolean();
    int[] tokens = new int[Tables.NUM_COEFF_PROBS];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = updates && rnd.nextInt(20) == 0 ? 1 + rnd.nextInt(255) : -1;
    }
    int[] mv = new int[MvProbUpdate.COUNT];
    for (int i = 0; i < mv.length; i++) {
      mv[i] = updates && !key && rnd.nextInt(4) == 0 ? rnd.nextInt(128) : -1;
    }
    boolean noCoeffSkip = rnd.nextBoolean();
    return new FrameHeader(tag, start, key ? rnd.nextInt(2) : 0, key ? rnd.nextInt(2) : 0, segEnabled, seg,
        rnd.nextInt(2), rnd.nextInt(64), rnd.nextInt(8), adj, lf, log2Parts,
        Collections.nCopies(1 << log2Parts, 0), q, refreshGolden, refreshAlt,
        refreshGolden ? 0 : rnd.nextInt(3), refreshAlt ? 0 : rnd.nextInt(3), !key && rnd.nextBoolean(),
        !key && rnd.nextBoolean(), rnd.nextBoolean(), key || rnd.nextBoolean(), TokenProbUpdate.of(tokens),
        noCoeffSkip, noCoeffSkip ? rnd.nextInt(256) : 0, key ? 0 : 1 + rnd.nextInt(255),
        key ? 0 : 1 + rnd.nextInt(255), key ? 0 : 1 + rnd.nextInt(255),
        key || !updates ? Optional.empty() : probs(rnd, 4), key || !updates ? Optional.empty() : probs(rnd, 3),
        MvProbUpdate.of(mv));
  }

  /** The same header without probability updates (the encoder chooses them last). */
  private static FrameHeader withoutUpdates(FrameHeader h) {
    return new FrameHeader(h.tag(), h.keyFrameStart(), h.colorSpace(), h.clampingType(), h.segmentationEnabled(),
        h.segmentation(), h.filterType(), h.loopFilterLevel(), h.sharpnessLevel(), h.loopFilterAdjEnable(),
        h.modeRefLfDeltaUpdate(), h.log2NbrOfDctPartitions(), h.partitionSizes(), h.quantIndices(),
        h.refreshGoldenFrame(), h.refreshAlternateFrame(), h.copyBufferToGolden(), h.copyBufferToAlternate(),
        h.signBiasGolden(), h.signBiasAlternate(), h.refreshEntropyProbs(), h.refreshLast(), TokenProbUpdate.none(),
        h.mbNoCoeffSkip(), h.probSkipFalse(), h.probIntra(), h.probLast(), h.probGf(), Optional.empty(),
        Optional.empty(), MvProbUpdate.none());
  }

  /** {@code h} with another tag, token update and skip flag (prob_skip_false 0 without skip flags). */
  private static FrameHeader copy(FrameHeader h, FrameTag tag, TokenProbUpdate tokens, boolean noCoeffSkip) {
    return new FrameHeader(tag, h.keyFrameStart(), h.colorSpace(), h.clampingType(), h.segmentationEnabled(),
        h.segmentation(), h.filterType(), h.loopFilterLevel(), h.sharpnessLevel(), h.loopFilterAdjEnable(),
        h.modeRefLfDeltaUpdate(), h.log2NbrOfDctPartitions(), Collections.nCopies(h.numPartitions(), 0),
        h.quantIndices(), h.refreshGoldenFrame(), h.refreshAlternateFrame(), h.copyBufferToGolden(),
        h.copyBufferToAlternate(), h.signBiasGolden(), h.signBiasAlternate(), h.refreshEntropyProbs(),
        h.refreshLast(), tokens, noCoeffSkip, noCoeffSkip ? h.probSkipFalse() : 0, h.probIntra(), h.probLast(),
        h.probGf(), h.intra16x16Probs(), h.intraChromaProbs(), h.mvProbUpdate());
  }

  /** {@code h} without the sizes the writer computes (first partition and token partition sizes). */
  private static FrameHeader normalized(FrameHeader h) {
    FrameTag t = h.tag();
    return copy(h, new FrameTag(t.keyFrame(), t.version(), t.showFrame(), 0), h.tokenProbUpdate(), h.mbNoCoeffSkip());
  }
}
