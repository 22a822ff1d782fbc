package io.tinythreads.vp8.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;
import io.tinythreads.vp8.header.FrameHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hidden alternate reference frames, as libvpx emits them with ExCamera's --auto-alt-ref=1 and a
 * look-ahead: a chunk whose libvpx encode has one (checked with vpxdec --summary: more frames
 * decoded than shown) is re-encoded given a state and then rebased onto another; the hidden frame
 * stays hidden, is encoded towards its original reconstruction (it shows no raw picture), and the
 * joined stream decodes in vpxdec with the input's frame counts and our decoder's MD5s.
 */
class HiddenFrameTest {
  private static final int W = 320;
  private static final int H = 136;

  @Test
  void chunkWithAnAltrefFrameIsReencodedAndRebased() {
    // Sintel frames 42..53 at this size give libvpx an alt-ref frame; 18..41 give none.
    List<List<byte[]>> raw = new ArrayList<>();
    List<Path> ivfs = new ArrayList<>();
    for (int first : new int[] {18, 30, 42}) {
      Path y4m = Clips.cut(Clips.sintel(), first, 12, W, H);
      raw.add(Clips.raw(y4m));
      ivfs.add(Clips.vpxenc(y4m, 20, "--lag-in-frames=16"));
    }
    int[] counts = Clips.vpxdecCounts(ivfs.get(2));
    assertThat(counts[0]).as("libvpx chunk decoded frames").isEqualTo(13);
    assertThat(counts[1]).as("libvpx chunk shown frames").isEqualTo(12);
    List<List<byte[]>> lib = ivfs.stream().map(Clips::frames).toList();
    DecoderSnapshot e0 = Clips.endState(null, lib.get(0));
    DecoderSnapshot e1 = Clips.endState(null, lib.get(1));

    ChunkReencoder re = new ChunkReencoder();
    ChunkReencoder.Result c1 = re.encodeGivenState(e0, raw.get(1), lib.get(1));
    ChunkReencoder.Result egs2 = re.encodeGivenState(e1, raw.get(2), lib.get(2));
    ChunkReencoder.Result c2 = re.rebase(c1.finalState(), raw.get(2), egs2.frames(), e1, egs2.expectedEntryHash());

    // Frame by frame, shown flags as in the input; the hidden frame is rebased, not re-encoded.
    assertThat(c2.frames()).hasSize(13);
    int hiddenIndex = -1;
    for (int i = 0; i < 13; i++) {
      boolean shown = FrameHeader.parse(lib.get(2).get(i)).tag().showFrame();
      assertThat(FrameHeader.parse(c2.frames().get(i)).tag().showFrame()).as("frame " + i + " shown").isEqualTo(shown);
      assertThat(c2.frameInfo().get(i).shown()).isEqualTo(shown);
      if (!shown) {
        hiddenIndex = i;
        assertThat(c2.frameInfo().get(i).kind()).isEqualTo(ChunkReencoder.Kind.REBASED);
      }
    }
    assertThat(hiddenIndex).isPositive();

    List<byte[]> joined = new ArrayList<>(lib.get(0));
    joined.addAll(c1.frames());
    joined.addAll(c2.frames());
    Path ivf = Clips.writeIvf("hidden-chain.ivf", W, H, joined);
    int[] jc = Clips.vpxdecCounts(ivf);
    assertThat(jc[0]).isEqualTo(37);
    assertThat(jc[1]).isEqualTo(36);
    assertThat(Clips.md5(joined)).isEqualTo(Clips.vpxdecMd5(ivf));
    assertThat(c2.finalState()).isEqualTo(Clips.endState(null, joined));

    // The hidden frame's picture approximates libvpx's original hidden frame.
    Raster original = decodeUpTo(lib.get(2), null, hiddenIndex);
    Raster ours = decodeUpTo(c2.frames(), c1.finalState(), hiddenIndex);
    Raster.Plane a = original.yPlane();
    Raster.Plane b = ours.yPlane();
    double psnr = Metrics.psnr(new Metrics.Plane(a.data(), a.origin(), a.stride(), W, H),
        new Metrics.Plane(b.data(), b.origin(), b.stride(), W, H));
    assertThat(psnr).as("hidden frame vs libvpx's hidden frame, dB").isGreaterThan(38.0);
  }

  private static Raster decodeUpTo(List<byte[]> frames, DecoderSnapshot start, int index) {
    Decoder d = start == null ? new Decoder() : start.newDecoder();
    DecodedFrame f = null;
    for (int i = 0; i <= index; i++) {
      f = d.decode(frames.get(i));
    }
    return f.raster();
  }
}
