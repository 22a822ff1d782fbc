package io.tinythreads.vp8.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.ParsedFrame;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.QuantIndices;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The encoder's own reconstruction (what its intra prediction and decisions see) is, after the
 * loop filter, exactly the frame the decoder reconstructs from the written bytes: for a full
 * encode and for a rebase, with every option on and off. A mismatch would not corrupt the stream
 * (the decoder's result is the state), but it would mean the encoder optimizes the wrong picture.
 */
class FrameEncoderTest {
  private static final int W = 176;
  private static final int H = 136;

  @Test
  void encoderReconstructionIsTheDecodersForEncodeAndRebase() {
    Path y4m0 = Clips.cut(Clips.sintel(), 60, 6, W, H);
    Path y4m1 = Clips.cut(Clips.sintel(), 66, 6, W, H);
    List<byte[]> lib0 = Clips.frames(Clips.vpxenc(y4m0, 16));
    List<byte[]> lib1 = Clips.frames(Clips.vpxenc(y4m1, 16));
    List<byte[]> raw1 = Clips.raw(y4m1);
    DecoderSnapshot e0 = Clips.endState(null, lib0);
    FrameHeader kf = FrameHeader.parse(lib1.get(0));
    for (ReencodeOptions o : List.of(ReencodeOptions.defaults(),
        new ReencodeOptions(0.3, false, false, false, 1, false, false))) {
      FrameEncoder fe = new FrameEncoder(W, H, o);
      QuantIndices q = FrameEncoder.blendedQuant(kf, Optional.of(FrameHeader.parse(lib1.get(1))), o.kfQWeight());
      FrameEncoder.Encoded e = fe.encode(e0, Source.fromI420(raw1.get(0), W, H), kf, q, true);
      assertSame(fe, e, "encode " + o);
      assertThat(e.decoded().header().keyFrame()).isFalse();

      // Rebase libvpx's frame 1 onto the re-encoded frame 0.
      Decoder d = new Decoder();
      d.decode(lib1.get(0));
      ParsedFrame p = Decoder.parse(lib1.get(1), d.state());
      FrameEncoder.Encoded r = fe.rebase(e.after(), p, Source.fromI420(raw1.get(1), W, H), false);
      assertSame(fe, r, "rebase " + o);
      assertThat(r.decoded().header().loopFilterLevel()).isEqualTo(p.header().loopFilterLevel());
      assertThat(r.decoded().header().quantIndices()).isEqualTo(p.header().quantIndices());
    }
  }

  private static void assertSame(FrameEncoder fe, FrameEncoder.Encoded e, String what) {
    FrameHeader h = e.decoded().header();
    FrameCoder c = fe.coder();
    byte[][] planes = c.filtered(h.loopFilterLevel(), h.sharpnessLevel(), h.filterType() == 1);
    Raster out = e.decoded().raster();
    for (int p = 0; p < 3; p++) {
      Raster.Plane pl = out.plane(p);
      int origin = p == 0 ? c.yOrg : c.uvOrg;
      int stride = p == 0 ? c.ys : c.uvs;
      for (int y = 0; y < pl.alignedHeight(); y++) {
        for (int x = 0; x < pl.alignedWidth(); x++) {
          int ours = planes[p][origin + y * stride + x] & 0xFF;
          if (ours != pl.get(x, y)) {
            throw new AssertionError(what + ": plane " + p + " differs at (" + x + ", " + y + "): encoder " + ours
                + ", decoder " + pl.get(x, y));
          }
        }
      }
    }
  }
}
