package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.TokenProbUpdate;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The explicit decoder state: values, equality, hashing, and resuming from it. */
class DecoderStateTest {
  private static List<byte[]> frames(String vector) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (IvfFrame f : IvfReader.readAll(TestData.vector(vector))) {
      out.add(f.data());
    }
    return out;
  }

  private static List<String> expectedMd5s(String vector) throws IOException {
    return Files.readAllLines(Path.of(TestData.vector(vector) + ".md5")).stream()
        .filter(l -> !l.isBlank()).map(l -> l.substring(0, 32)).toList();
  }

  /**
   * Decoding stops after {@code k} frames; a fresh decoder built from the first one's state and
   * references decodes the rest bit-exact. Covers golden/altref copies, sign bias and a hidden
   * altref (1439), persistent segment maps (comprehensive-010), discarded probability updates
   * (1437), multiple partitions (1406), and size changes (1425).
   */
  @ParameterizedTest
  @ValueSource(strings = {"vp80-05-sharpness-1439", "vp80-00-comprehensive-010", "vp80-03-segmentation-1437",
      "vp80-04-partitions-1406", "vp80-00-comprehensive-011", "vp80-03-segmentation-1425"})
  void resumesFromAnExplicitState(String vector) throws IOException {
    List<byte[]> frames = frames(vector);
    List<String> expected = expectedMd5s(vector);
    for (int k : new java.util.TreeSet<>(List.of(1, 2, frames.size() / 2, frames.size() - 1))) {
      Decoder a = new Decoder();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        DecodedFrame d = a.decode(frames.get(i));
        if (d.shown()) {
          got.add(d.raster().md5Hex());
        }
      }
      Decoder b = new Decoder(a.state(), a.references());
      for (int i = k; i < frames.size(); i++) {
        DecodedFrame d = b.decode(frames.get(i));
        if (d.shown()) {
          got.add(d.raster().md5Hex());
        }
      }
      assertThat(got).as("%s resumed after %d frames", vector, k).isEqualTo(expected);
    }
  }

  @Test
  void equalStreamsGiveEqualStatesAndHashes() throws IOException {
    List<byte[]> frames = frames("vp80-00-comprehensive-007");
    Decoder a = new Decoder();
    Decoder b = new Decoder();
    Set<Long> stateHashes = new HashSet<>();
    Set<Long> refHashes = new HashSet<>();
    for (byte[] f : frames) {
      a.decode(f);
      b.decode(f.clone());
      assertThat(a.state()).isEqualTo(b.state()).isNotSameAs(b.state());
      assertThat(a.state().hash64()).isEqualTo(b.state().hash64());
      assertThat(a.references()).isEqualTo(b.references());
      assertThat(a.references().hash64()).isEqualTo(b.references().hash64());
      refHashes.add(a.references().hash64());
      stateHashes.add(a.state().hash64());
    }
    // Frames differ, so their references hash differently (29 frames, all distinct).
    assertThat(refHashes).hasSize(frames.size());
    assertThat(stateHashes.size()).isGreaterThan(1);
  }

  @Test
  void stateRoundTripsThroughItsParts() throws IOException {
    Decoder d = new Decoder();
    for (byte[] f : frames("vp80-00-comprehensive-010").subList(0, 20)) {
      d.decode(f);
    }
    DecoderState s = d.state();
    DecoderState copy = DecoderState.of(s.width(), s.height(), s.horizontalScale(), s.verticalScale(), s.coeffProbs(),
        s.yModeProbs(), s.uvModeProbs(), s.mvProbs(), s.segmentAbsolute(), s.segmentQuant(), s.segmentLf(),
        s.segmentMap(), s.refLfDeltas(), s.modeLfDeltas());
    assertThat(copy).isEqualTo(s);
    assertThat(copy.hash64()).isEqualTo(s.hash64());
    assertThat(copy.hashCode()).isEqualTo(s.hashCode());
    // Any single change shows in equality and in the hash.
    byte[] map = s.segmentMap();
    map[map.length - 1] ^= 1;
    DecoderState changed = DecoderState.of(s.width(), s.height(), s.horizontalScale(), s.verticalScale(),
        s.coeffProbs(), s.yModeProbs(), s.uvModeProbs(), s.mvProbs(), s.segmentAbsolute(), s.segmentQuant(),
        s.segmentLf(), map, s.refLfDeltas(), s.modeLfDeltas());
    assertThat(changed).isNotEqualTo(s);
    assertThat(changed.hash64()).isNotEqualTo(s.hash64());
    byte[] probs = s.coeffProbs();
    probs[500]++;
    DecoderState changedProbs = DecoderState.of(s.width(), s.height(), s.horizontalScale(), s.verticalScale(), probs,
        s.yModeProbs(), s.uvModeProbs(), s.mvProbs(), s.segmentAbsolute(), s.segmentQuant(), s.segmentLf(),
        s.segmentMap(), s.refLfDeltas(), s.modeLfDeltas());
    assertThat(changedProbs.hash64()).isNotEqualTo(s.hash64());
    // Accessors hand out copies.
    s.coeffProbs()[0]++;
    assertThat(s).isEqualTo(copy);
  }

  @Test
  void rejectsInconsistentParts() {
    DecoderState i = DecoderState.initial();
    assertThatThrownBy(() -> DecoderState.of(16, 16, 0, 0, new byte[10], i.yModeProbs(), i.uvModeProbs(),
        i.mvProbs(), false, new byte[4], new byte[4], new byte[1], new byte[4], new byte[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coeffProbs");
    assertThatThrownBy(() -> DecoderState.of(32, 16, 0, 0, i.coeffProbs(), i.yModeProbs(), i.uvModeProbs(),
        i.mvProbs(), false, new byte[4], new byte[4], new byte[1], new byte[4], new byte[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentMap");
    assertThatThrownBy(() -> DecoderState.of(16, 16, 0, 0, i.coeffProbs(), i.yModeProbs(), i.uvModeProbs(),
        i.mvProbs(), false, new byte[4], new byte[4], new byte[] {4}, new byte[4], new byte[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment ids");
    assertThatThrownBy(() -> new Decoder(i, References.allOf(new MutableRaster(16, 16).freeze())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void discardedProbabilityUpdatesDoNotPersist() throws IOException {
    // vp80-03-segmentation-1437 codes refresh_entropy_probs = 0 on its interframes.
    DecoderState s = DecoderState.initial();
    int checked = 0;
    for (byte[] f : frames("vp80-03-segmentation-1437")) {
      ParsedFrame p = Decoder.parse(f, s);
      if (!p.header().refreshEntropyProbs()) {
        assertThat(p.nextState().coeffProbs()).isEqualTo(s.coeffProbs());
        if (p.header().tokenProbUpdate().count() > 0) {
          assertThat(p.coeffProbs()).isNotEqualTo(s.coeffProbs());
          checked++;
        }
      }
      s = p.nextState();
    }
    assertThat(checked).isPositive();
  }

  @Test
  void segmentMapPersistsWhenNotUpdated() throws IOException {
    // comprehensive-010 codes the segment map once and keeps using it.
    DecoderState s = DecoderState.initial();
    byte[] lastCoded = null;
    int persisted = 0;
    for (byte[] f : frames("vp80-00-comprehensive-010")) {
      ParsedFrame p = Decoder.parse(f, s);
      if (p.header().updateMbSegmentationMap()) {
        lastCoded = p.nextState().segmentMap();
      } else if (lastCoded != null && !p.header().keyFrame()) {
        assertThat(p.nextState().segmentMap()).isEqualTo(lastCoded);
        for (int mb = 0; mb < lastCoded.length; mb++) {
          assertThat(p.segmentId(mb)).isEqualTo(lastCoded[mb]);
        }
        persisted++;
      }
      s = p.nextState();
    }
    assertThat(persisted).isPositive();
    assertThat(lastCoded).isNotNull();
    boolean nonZero = false;
    for (byte b : lastCoded) {
      nonZero |= b != 0;
    }
    assertThat(nonZero).isTrue();
  }

  private static Raster raster(int fill) {
    MutableRaster m = new MutableRaster(16, 16);
    java.util.Arrays.fill(m.yPlane(), (byte) fill);
    return m.freeze();
  }

  private static FrameHeader interHeader(boolean refreshGolden, boolean refreshAlt, int copyGolden, int copyAlt,
      boolean refreshLast) {
    return new FrameHeader(new io.tinythreads.vp8.header.FrameTag(false, 0, true, 1), Optional.empty(), 0, 0, false,
        Optional.empty(), 0, 0, 0, false, Optional.empty(), 0, List.of(1),
        new QuantIndices(0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
        refreshGolden, refreshAlt, copyGolden, copyAlt, false, false, true, refreshLast, TokenProbUpdate.none(), false,
        0, 0, 0, 0, Optional.empty(), Optional.empty(), MvProbUpdate.none());
  }

  @Test
  void referenceUpdatesFollowLibvpxOrder() {
    Raster last = raster(1);
    Raster golden = raster(2);
    Raster alt = raster(3);
    Raster fresh = raster(4);
    References r = References.of(last, golden, alt);
    // Altref copy happens first, so "golden := altref" sees the new altref (old golden).
    References u = r.update(interHeader(false, false, 2, 2, false), fresh);
    assertThat(u.golden()).isSameAs(golden);
    assertThat(u.altref()).isSameAs(golden);
    assertThat(u.last()).isSameAs(last);
    u = r.update(interHeader(false, false, 1, 1, true), fresh);
    assertThat(u.golden()).isSameAs(last);
    assertThat(u.altref()).isSameAs(last);
    assertThat(u.last()).isSameAs(fresh);
    u = r.update(interHeader(true, true, 0, 0, false), fresh);
    assertThat(u.golden()).isSameAs(fresh);
    assertThat(u.altref()).isSameAs(fresh);
    assertThat(u.last()).isSameAs(last);
    assertThatThrownBy(() -> r.update(interHeader(false, false, 3, 0, true), fresh))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("copy_buffer_to_golden");
    // Content equality, not identity.
    assertThat(References.of(raster(1), raster(2), raster(3))).isEqualTo(r);
    assertThat(References.of(raster(1), raster(2), raster(5))).isNotEqualTo(r);
    assertThat(References.of(raster(1), raster(2), raster(5)).hash64()).isNotEqualTo(r.hash64());
  }
}
