package io.tinythreads.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvpxEncoderTest {
  static final String DEMO = "demo:testsrc2,size=160x96,frames=48";
  @TempDir static Path dir;
  static Path chunk12;
  static List<byte[]> frames12;

  @BeforeAll
  static void makeChunk() {
    frames12 = TestChunks.frames(DEMO, 24, 12);
    chunk12 = dir.resolve("chunk-12.y4m");
    RawChunks.write(chunk12, TestChunks.info(DEMO), 24, frames12);
  }

  private final LibvpxEncoder enc = new LibvpxEncoder();

  @Test
  void encodesTwelveFramesWithOneKeyframeAndGlobalPts() throws Exception {
    Path out = dir.resolve("a.ivf");
    EncodedChunk c = enc.encode(chunk12, EncodeSettings.getDefaultInstance(), out);
    assertThat(c.shownFrames()).isEqualTo(12);
    assertThat(c.framesWritten()).isEqualTo(12); // ExCamera defaults: lag 0, so no hidden frames
    assertThat(c.keyframes()).isEqualTo(1);
    assertThat(c.firstFrame()).isEqualTo(24);
    assertThat(c.bytes()).isEqualTo(Files.size(out));
    assertThat(c.wallTime()).isPositive();

    List<IvfFrame> ivf = IvfReader.readAll(out);
    assertThat(ivf).hasSize(12);
    for (int i = 0; i < ivf.size(); i++) {
      assertThat(ivf.get(i).pts()).isEqualTo(24 + i);
      assertThat(Vp8Frames.isKeyframe(ivf.get(i).data())).as("keyframe at %d", i).isEqualTo(i == 0);
    }
    assertThat(Vp8Frames.keyframeSize(ivf.get(0).data())).containsExactly(160, 96);
    try (IvfReader r = IvfReader.open(out)) {
      assertThat(r.header().width()).isEqualTo(160);
      assertThat(r.header().rate()).isEqualTo(30);
      assertThat(r.header().scale()).isEqualTo(1);
    }
    assertThat(ExternalTools.vpxdecSummary(out)).containsExactly(12, 12);
    // The decoded pictures are the input, not just any 12 frames: PSNR against the raw chunk.
    assertThat(psnr(out, frames12)).isGreaterThan(30.0);
  }

  @Test
  void sameInputSameBytes() throws Exception {
    Path a = dir.resolve("det-a.ivf");
    Path b = dir.resolve("det-b.ivf");
    enc.encode(chunk12, EncodeSettings.getDefaultInstance(), a);
    enc.encode(chunk12, EncodeSettings.getDefaultInstance(), b);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    assertThat(ExternalTools.vpxdecMd5(a)).isEqualTo(ExternalTools.vpxdecMd5(b));
  }

  @Test
  void settingsChangeTheEncode() throws Exception {
    Path twoPass = dir.resolve("p2.ivf");
    Path onePass = dir.resolve("p1.ivf");
    Path lowQ = dir.resolve("q10.ivf");
    long p2 = enc.encode(chunk12, EncodeSettings.getDefaultInstance(), twoPass).bytes();
    long p1 = enc.encode(chunk12, EncodeSettings.newBuilder().setPasses(1).build(), onePass).bytes();
    long q10 = enc.encode(chunk12, EncodeSettings.newBuilder().setCqLevel(10).build(), lowQ).bytes();
    assertThat(Files.readAllBytes(onePass)).isNotEqualTo(Files.readAllBytes(twoPass));
    assertThat(q10).as("cq-level 10 spends more bits than 32").isGreaterThan(p2 * 13 / 10);
    Path vbrLow = dir.resolve("vbr50.ivf");
    Path vbrHigh = dir.resolve("vbr3000.ivf");
    long lo = enc.encode(chunk12, EncodeSettings.newBuilder().setEndUsage(EndUsage.END_USAGE_VBR)
        .setTargetBitrateKbps(50).build(), vbrLow).bytes();
    long hi = enc.encode(chunk12, EncodeSettings.newBuilder().setEndUsage(EndUsage.END_USAGE_VBR)
        .setTargetBitrateKbps(3000).build(), vbrHigh).bytes();
    assertThat(hi).isGreaterThan(lo * 2);
    assertThat(ExternalTools.vpxdecSummary(vbrLow)).containsExactly(12, 12);
    // 12 frames at 30 fps for 50 kbps is ~2.5 kB of payload; allow rate-control slack, but not 4x.
    assertThat(lo).isLessThan(10_000);
  }

  /**
   * Cross-check of the settings mapping: Debian's vpxenc (libvpx 1.12) with ExCamera's exact flags on
   * the same raw chunk (vpxenc ignores the X tag) lands within a few percent of our size. Not
   * byte-identical: FFmpeg's libvpx is a newer release (1.15).
   */
  @Test
  void matchesVpxencWithExcameraFlags() throws Exception {
    for (int cq : new int[] {32, 10}) {
      Path ours = dir.resolve("ours-" + cq + ".ivf");
      Path theirs = dir.resolve("vpxenc-" + cq + ".ivf");
      long a = enc.encode(chunk12, EncodeSettings.newBuilder().setCqLevel(cq).build(), ours).bytes();
      ExternalTools.runOk("vpxenc", "-q", "--ivf", "--codec=vp8", "--good", "--cpu-used=0", "--end-usage=cq",
          "--min-q=0", "--max-q=63", "--cq-level=" + cq, "--buf-initial-sz=10000", "--buf-optimal-sz=20000",
          "--buf-sz=40000", "--undershoot-pct=100", "--passes=2", "--auto-alt-ref=1", "--threads=1",
          "--token-parts=0", "--tune=ssim", "--target-bitrate=4294967295", "-o", theirs.toString(), chunk12.toString());
      long b = Files.size(theirs);
      assertThat((double) a / b).as("size ratio ours/vpxenc at cq %d (%d vs %d bytes)", cq, a, b).isBetween(0.9, 1.1);
      assertThat(ExternalTools.vpxdecSummary(theirs)).containsExactly(12, 12);
    }
  }

  @Test
  void hiddenAltRefFramesAreKeptAndNotShown() throws Exception {
    Path raw = TestChunks.write(dir.resolve("chunk-24.y4m"), DEMO, 0, 24);
    Path out = dir.resolve("arf.ivf");
    EncodedChunk c = enc.encode(raw, EncodeSettings.newBuilder().setLagInFrames(16).setAutoAltRef(true).build(), out);
    assertThat(c.shownFrames()).isEqualTo(24);
    assertThat(c.hiddenFrames()).as("libvpx placed alt-ref frames with 16 frames of lag").isPositive();
    List<IvfFrame> ivf = IvfReader.readAll(out);
    assertThat(ivf).hasSize(c.framesWritten());
    long hidden = ivf.stream().filter(f -> !Vp8Frames.isShown(f.data())).count();
    assertThat(hidden).isEqualTo(c.hiddenFrames());
    // pts never decrease; shown frames carry 0..23
    List<Long> shownPts = new ArrayList<>();
    long last = -1;
    for (IvfFrame f : ivf) {
      assertThat(f.pts()).isGreaterThanOrEqualTo(last);
      last = f.pts();
      if (Vp8Frames.isShown(f.data())) {
        shownPts.add(f.pts());
      }
    }
    assertThat(shownPts).hasSize(24);
    for (int i = 0; i < 24; i++) {
      assertThat(shownPts.get(i)).isEqualTo(i);
    }
    int[] summary = ExternalTools.vpxdecSummary(out);
    assertThat(summary[0]).isEqualTo(c.framesWritten());
    assertThat(summary[1]).isEqualTo(24);
  }

  @Test
  void sceneCutDoesNotAddAKeyframe() throws Exception {
    VideoInfo v = TestChunks.info("demo:testsrc2,size=160x96,frames=6");
    List<byte[]> frames = new ArrayList<>(TestChunks.frames("demo:testsrc2,size=160x96,frames=6", 0, 6));
    frames.addAll(TestChunks.frames("demo:mandelbrot,size=160x96,frames=6", 0, 6));
    Path raw = dir.resolve("cut.y4m");
    RawChunks.write(raw, v, 0, frames);
    Path out = dir.resolve("cut.ivf");
    EncodedChunk c = enc.encode(raw, EncodeSettings.newBuilder().setPasses(1).build(), out);
    assertThat(c.keyframes()).isEqualTo(1);
    List<IvfFrame> ivf = IvfReader.readAll(out);
    assertThat(ivf.stream().filter(f -> Vp8Frames.isKeyframe(f.data())).count()).isEqualTo(1);
    assertThat(Vp8Frames.isKeyframe(ivf.get(0).data())).isTrue();
  }

  @Test
  void oddSizeEncodes() throws Exception {
    Path raw = TestChunks.write(dir.resolve("odd.y4m"), "demo:testsrc2,size=175x143,frames=4", 0, 4);
    Path out = dir.resolve("odd.ivf");
    EncodedChunk c = enc.encode(raw, EncodeSettings.newBuilder().setPasses(1).build(), out);
    assertThat(c.shownFrames()).isEqualTo(4);
    assertThat(Vp8Frames.keyframeSize(IvfReader.readAll(out).get(0).data())).containsExactly(175, 143);
    assertThat(ExternalTools.vpxdecSummary(out)).containsExactly(4, 4);
  }

  @Test
  void badInputsAndSettings() throws Exception {
    Path out = dir.resolve("bad.ivf");
    assertThatThrownBy(() -> enc.encode(chunk12, EncodeSettings.newBuilder().setCqLevel(70).build(), out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cq_level 70");
    assertThatThrownBy(() -> enc.encode(chunk12, EncodeSettings.newBuilder().setPasses(3).build(), out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("passes 3");
    byte[] all = Files.readAllBytes(chunk12);
    Path truncated = dir.resolve("truncated.y4m");
    Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 1000));
    assertThatThrownBy(() -> enc.encode(truncated, EncodeSettings.getDefaultInstance(), out))
        .isInstanceOf(MediaException.class).hasMessageContaining(truncated.toString()).hasMessageContaining("frame 11");
    Path plain = dir.resolve("plain.y4m");
    Files.writeString(plain, "YUV4MPEG2 W16 H16 F30:1\nFRAME\n" + "x".repeat(384));
    assertThatThrownBy(() -> enc.encode(plain, EncodeSettings.getDefaultInstance(), out))
        .isInstanceOf(MediaException.class).hasMessageContaining("XTT_FIRST_FRAME");
    assertThat(out).doesNotExist();
  }

  @Test
  void progressCanCancel() {
    Path out = dir.resolve("cancel.ivf");
    List<Double> seen = new ArrayList<>();
    assertThatThrownBy(() -> enc.encode(chunk12, EncodeSettings.getDefaultInstance(), out, f -> {
      seen.add(f);
      if (f > 0.6) {
        throw new CancellationException("stop");
      }
    })).isInstanceOf(CancellationException.class);
    assertThat(seen).isSorted();
    assertThat(seen.get(0)).isGreaterThan(0.0).isLessThan(0.1);
    assertThat(out).doesNotExist();
  }

  /** Mean luma PSNR of vpxdec's decode of {@code ivf} against the raw frames. */
  static double psnr(Path ivf, List<byte[]> raw) throws Exception {
    Path yuv = ivf.resolveSibling(ivf.getFileName() + ".yuv");
    ExternalTools.runOk("vpxdec", "--i420", "-o", yuv.toString(), ivf.toString());
    byte[] dec = Files.readAllBytes(yuv);
    int fb = raw.get(0).length;
    assertThat(dec.length).isEqualTo(fb * raw.size());
    double sum = 0;
    for (int f = 0; f < raw.size(); f++) {
      byte[] r = raw.get(f);
      int lumaBytes = fb * 2 / 3; // even sizes in these tests
      double se = 0;
      for (int i = 0; i < lumaBytes; i++) {
        int d = (r[i] & 0xFF) - (dec[f * fb + i] & 0xFF);
        se += d * d;
      }
      double mse = se / lumaBytes;
      sum += mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
    }
    return sum / raw.size();
  }
}
