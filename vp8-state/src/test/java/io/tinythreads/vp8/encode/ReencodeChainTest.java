package io.tinythreads.vp8.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;
import io.tinythreads.vp8.header.FrameHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ExCamera chain on real libvpx chunks: 4 chunks of 6 frames (320x136, so the last macroblock
 * row is partly outside the picture) encoded independently by vpxenc at ExCamera's settings,
 * chunk 1 re-encoded given chunk 0's end state, chunks 2 and 3 re-encoded given their
 * predecessors' libvpx end states (in parallel, in ExCamera) and then rebased serially onto the
 * predecessors' final states. The joined stream must have one key frame, the input's frame count,
 * decode in vpxdec exactly as in our decoder, end in the re-encoder's final state, and be the
 * same bytes when made again.
 */
class ReencodeChainTest {
  static final int CHUNKS = 4;
  static final int N = 6;
  static final int W = 320;
  static final int H = 136;

  static List<List<byte[]>> raw = new ArrayList<>();
  static List<List<byte[]>> lib = new ArrayList<>();
  static List<DecoderSnapshot> libEnd = new ArrayList<>();
  static Chain chain;

  @BeforeAll
  static void chunks() {
    for (int k = 0; k < CHUNKS; k++) {
      Path y4m = Clips.cut(Clips.sintel(), 30 + k * N, N, W, H);
      raw.add(Clips.raw(y4m));
      lib.add(Clips.frames(Clips.vpxenc(y4m, 20)));
      libEnd.add(Clips.endState(null, lib.get(k)));
    }
    chain = chain(ReencodeOptions.defaults());
  }

  /** The whole chain; returns the joined frames and the final state. */
  static Chain chain(ReencodeOptions options) {
    ChunkReencoder re = new ChunkReencoder(options);
    List<ChunkReencoder.Result> egs = new ArrayList<>();
    egs.add(null);
    for (int k = 1; k < CHUNKS; k++) {
      egs.add(re.encodeGivenState(libEnd.get(k - 1), raw.get(k), lib.get(k)));
    }
    List<byte[]> joined = new ArrayList<>(lib.get(0));
    List<ChunkReencoder.Result> fin = new ArrayList<>();
    fin.add(null);
    fin.add(egs.get(1));
    joined.addAll(egs.get(1).frames());
    DecoderSnapshot state = egs.get(1).finalState();
    for (int k = 2; k < CHUNKS; k++) {
      ChunkReencoder.Result r = re.rebase(state, raw.get(k), egs.get(k).frames(), libEnd.get(k - 1),
          egs.get(k).expectedEntryHash());
      fin.add(r);
      joined.addAll(r.frames());
      state = r.finalState();
    }
    return new Chain(egs, fin, joined, state);
  }

  record Chain(List<ChunkReencoder.Result> egs, List<ChunkReencoder.Result> fin, List<byte[]> joined,
      DecoderSnapshot finalState) {}

  @Test
  void chainDecodesInVpxdecAsInOurDecoderAndIsDeterministic() {
    Chain c = chain;
    // One key frame, the input's frame count.
    int keys = 0;
    for (byte[] f : c.joined()) {
      keys += FrameHeader.parse(f).keyFrame() ? 1 : 0;
    }
    assertThat(keys).isEqualTo(1);
    assertThat(c.joined()).hasSize(CHUNKS * N);
    Path ivf = Clips.writeIvf("chain.ivf", W, H, c.joined());
    List<String> vpx = Clips.vpxdecMd5(ivf);
    assertThat(vpx).hasSize(CHUNKS * N);
    assertThat(Clips.md5(c.joined())).isEqualTo(vpx);
    // The re-encoder's final state is the state a fresh decoder reaches.
    DecoderSnapshot decoded = Clips.endState(null, c.joined());
    assertThat(c.finalState()).isEqualTo(decoded);
    assertThat(c.finalState().hash64()).isEqualTo(decoded.hash64());
    // Entry hashes: each chunk names the state it continues.
    assertThat(c.egs().get(2).expectedEntryHash()).isEqualTo(libEnd.get(1).hash64());
    assertThat(c.fin().get(2).expectedEntryHash()).isEqualTo(c.fin().get(1).finalState().hash64());
    // Same inputs, same bytes (a fresh re-encoder).
    Chain again = chain(ReencodeOptions.defaults());
    assertThat(again.joined()).hasSameSizeAs(c.joined());
    for (int i = 0; i < c.joined().size(); i++) {
      assertThat(again.joined().get(i)).as("frame " + i).isEqualTo(c.joined().get(i));
    }
  }

  @Test
  void encodeGivenStateJoinsTwoChunks() {
    ChunkReencoder.Result egs = chain.egs().get(1);
    FrameHeader first = FrameHeader.parse(egs.frames().get(0));
    assertThat(first.keyFrame()).isFalse();
    assertThat(first.tag().showFrame()).isTrue();
    assertThat(first.refreshLast() && first.refreshGoldenFrame() && first.refreshAlternateFrame()).isTrue();
    assertThat(egs.frameInfo().get(0).kind()).isEqualTo(ChunkReencoder.Kind.ENCODED);
    assertThat(egs.expectedEntryHash()).isEqualTo(libEnd.get(0).hash64());
    List<byte[]> two = new ArrayList<>(lib.get(0));
    two.addAll(egs.frames());
    Path ivf = Clips.writeIvf("two-chunks.ivf", W, H, two);
    assertThat(Clips.md5(two)).isEqualTo(Clips.vpxdecMd5(ivf)).hasSize(2 * N);
    assertThat(egs.finalState()).isEqualTo(Clips.endState(libEnd.get(0), egs.frames()));
  }

  @Test
  void aChunkOfOneKeyFrameBecomesOneInterframe() {
    // The last chunk of a clip may hold a single frame.
    Path y4m = Clips.cut(Clips.sintel(), 30 + N, 1, W, H);
    List<byte[]> one = Clips.frames(Clips.vpxenc(y4m, 20));
    assertThat(one).hasSize(1);
    ChunkReencoder.Result r = new ChunkReencoder().encodeGivenState(libEnd.get(0), Clips.raw(y4m), one);
    assertThat(r.frames()).hasSize(1);
    FrameHeader h = FrameHeader.parse(r.frames().get(0));
    assertThat(h.keyFrame()).isFalse();
    assertThat(h.refreshLast() && h.refreshGoldenFrame() && h.refreshAlternateFrame()).isTrue();
    List<byte[]> two = new ArrayList<>(lib.get(0));
    two.addAll(r.frames());
    assertThat(Clips.md5(two)).isEqualTo(Clips.vpxdecMd5(Clips.writeIvf("one-frame.ivf", W, H, two)));
  }

  @Test
  void everyChunkEndsRefreshingAllReferencesAndStartsWithAnInterframe() {
    Chain c = chain;
    for (int k = 1; k < CHUNKS; k++) {
      List<byte[]> frames = c.fin().get(k).frames();
      FrameHeader first = FrameHeader.parse(frames.get(0));
      assertThat(first.keyFrame()).isFalse();
      assertThat(first.refreshLast() && first.refreshGoldenFrame() && first.refreshAlternateFrame()).isTrue();
      FrameHeader last = FrameHeader.parse(frames.get(frames.size() - 1));
      assertThat(last.refreshLast() && last.refreshGoldenFrame() && last.refreshAlternateFrame()).isTrue();
      assertThat(last.copyBufferToGolden()).isZero();
      assertThat(last.copyBufferToAlternate()).isZero();
      DecoderSnapshot end = c.fin().get(k).finalState();
      assertThat(end.references().golden()).isSameAs(end.references().last());
      assertThat(end.references().altref()).isSameAs(end.references().last());
    }
  }

  @Test
  void rebasedQualityStaysCloseToLibvpx() {
    Chain c = chain;
    double[] xc = psnr(c.joined(), 0);
    List<byte[]> indep = new ArrayList<>();
    lib.forEach(indep::addAll);
    double[] ind = psnr(indep, 0);
    for (int k = 1; k < CHUNKS; k++) {
      // The re-encoded key frame uses a coarser quantizer than libvpx's boosted key frame (by
      // design: ExCamera blends it with the next frame's), so it only has to be a good picture.
      assertThat(xc[k * N]).as("re-encoded key frame of chunk " + k).isGreaterThan(40.0);
      for (int i = 1; i < N; i++) {
        int f = k * N + i;
        // Rebasing keeps libvpx's modes on slightly different references: a dB or two below the
        // independent chunk (whose key frame is boosted), never a broken picture.
        assertThat(xc[f]).as(String.format(Locale.ROOT, "frame %d: xc %.2f dB vs libvpx %.2f dB", f, xc[f], ind[f]))
            .isGreaterThan(ind[f] - 4.5).isGreaterThan(35.0);
      }
    }
  }

  @Test
  void wrongPredictionStateIsRefusedNamingBothHashes() {
    ChunkReencoder re = new ChunkReencoder();
    ChunkReencoder.Result egs2 = re.encodeGivenState(libEnd.get(1), raw.get(2), lib.get(2));
    DecoderSnapshot wrong = libEnd.get(0);
    assertThatThrownBy(() -> re.rebase(libEnd.get(1), raw.get(2), egs2.frames(), wrong, egs2.expectedEntryHash()))
        .isInstanceOf(StateMismatchException.class)
        .hasMessageContaining(String.format("%016x", libEnd.get(1).hash64()))
        .hasMessageContaining(String.format("%016x", wrong.hash64()))
        .satisfies(e -> {
          StateMismatchException m = (StateMismatchException) e;
          assertThat(m.expected()).isEqualTo(libEnd.get(1).hash64());
          assertThat(m.actual()).isEqualTo(wrong.hash64());
        });
  }

  @Test
  void inconsistentInputIsRefusedNamingTheProblem() {
    ChunkReencoder re = new ChunkReencoder();
    assertThatThrownBy(() -> re.encodeGivenState(libEnd.get(0), raw.get(1).subList(0, 5), lib.get(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rawI420Frames: 5 pictures");
    assertThatThrownBy(() -> re.encodeGivenState(libEnd.get(0), raw.get(1), lib.get(1).subList(1, N)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a key frame");
    List<byte[]> badRaw = new ArrayList<>(raw.get(1));
    badRaw.set(3, new byte[10]);
    assertThatThrownBy(() -> re.encodeGivenState(libEnd.get(0), badRaw, lib.get(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rawI420Frames[3]");
    List<byte[]> badPred = new ArrayList<>(lib.get(1));
    badPred.set(2, new byte[] {1, 2});
    assertThatThrownBy(() -> re.encodeGivenState(libEnd.get(0), raw.get(1), badPred))
        .isInstanceOf(io.tinythreads.vp8.InvalidBitstreamException.class).hasMessageContaining("predFrames[2]");
    assertThatThrownBy(() -> re.encodeGivenState(DecoderSnapshot.initial(), raw.get(1), lib.get(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entryState");
  }

  @Test
  void keyFramesInsideAChunkBecomeInterframes() {
    // libvpx puts key frames inside a chunk at scene cuts; --kf-max-dist=2 forces some here.
    Path y4m = Clips.cut(Clips.sintel(), 30 + N, N, W, H);
    List<byte[]> withKeys = Clips.frames(Clips.vpxenc(y4m, 20, "--kf-max-dist=2"));
    long keys = withKeys.stream().filter(f -> FrameHeader.parse(f).keyFrame()).count();
    assertThat(keys).as("key frames in the libvpx chunk").isGreaterThan(1);
    ChunkReencoder.Result r = new ChunkReencoder().encodeGivenState(libEnd.get(0), raw.get(1), withKeys);
    for (int i = 0; i < r.frames().size(); i++) {
      assertThat(FrameHeader.parse(r.frames().get(i)).keyFrame()).as("frame " + i).isFalse();
      boolean key = FrameHeader.parse(withKeys.get(i)).keyFrame();
      assertThat(r.frameInfo().get(i).kind())
          .isEqualTo(key ? ChunkReencoder.Kind.ENCODED : ChunkReencoder.Kind.REBASED);
    }
    List<byte[]> joined = new ArrayList<>(lib.get(0));
    joined.addAll(r.frames());
    Path ivf = Clips.writeIvf("inner-keys.ivf", W, H, joined);
    assertThat(Clips.md5(joined)).isEqualTo(Clips.vpxdecMd5(ivf)).hasSize(2 * N);
    double[] q = psnr(joined, 0);
    for (int i = N; i < 2 * N; i++) {
      assertThat(q[i]).as("frame " + i).isGreaterThan(38.0);
    }
  }

  /** Luma PSNR of every shown frame of a stream against the raw chunks. */
  static double[] psnr(List<byte[]> stream, int firstChunk) {
    Decoder d = new Decoder();
    List<Double> out = new ArrayList<>();
    int shown = 0;
    for (byte[] f : stream) {
      DecodedFrame df = d.decode(f);
      if (!df.shown()) {
        continue;
      }
      byte[] r = raw.get(firstChunk + shown / N).get(shown % N);
      Raster.Plane y = df.raster().yPlane();
      out.add(Metrics.psnr(new Metrics.Plane(r, 0, W, W, H), new Metrics.Plane(y.data(), y.origin(), y.stride(), W, H)));
      shown++;
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
