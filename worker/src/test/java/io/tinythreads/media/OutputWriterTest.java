package io.tinythreads.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputWriterTest {
  @TempDir Path dir;
  private final LibvpxEncoder enc = new LibvpxEncoder();

  /** Encodes {@code chunks} independent chunks of {@code n} frames of {@code demo}; returns all IVF frames in order. */
  private List<IvfFrame> encodeChunks(String demo, int chunks, int n, EncodeSettings s) throws Exception {
    List<IvfFrame> all = new ArrayList<>();
    for (int k = 0; k < chunks; k++) {
      Path raw = TestChunks.write(dir.resolve("raw-" + k + ".y4m"), demo, k * n, n);
      Path ivf = dir.resolve("enc-" + k + ".ivf");
      enc.encode(raw, s, ivf);
      all.addAll(IvfReader.readAll(ivf));
    }
    return all;
  }

  private static void writeAll(OutputWriter w, List<IvfFrame> frames) {
    for (IvfFrame f : frames) {
      w.write(f.data(), f.pts(), Vp8Frames.isKeyframe(f.data()));
    }
  }

  private static int ivfHeaderCount(Path ivf) throws Exception {
    byte[] h = new byte[32];
    try (var in = Files.newInputStream(ivf)) {
      in.readNBytes(h, 0, 32);
    }
    return ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
  }

  @Test
  void joinedChunksPlayInVpxdecAndFfprobeAsIvfAndWebm() throws Exception {
    String demo = "demo:testsrc2,size=128x72,frames=24";
    VideoInfo v = TestChunks.info(demo);
    List<IvfFrame> frames = encodeChunks(demo, 2, 12, EncodeSettings.newBuilder().setPasses(1).build());
    Path ivf = dir.resolve("out.ivf");
    Path webm = dir.resolve("out.webm");
    try (OutputWriter w = OutputWriter.open(ivf, OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED, v)) {
      assertThat(w.container()).isEqualTo(OutputContainer.OUTPUT_CONTAINER_IVF);
      writeAll(w, frames);
    }
    try (OutputWriter w = OutputWriter.open(webm, OutputContainer.OUTPUT_CONTAINER_WEBM, v)) {
      writeAll(w, frames);
      assertThat(w.shownFrames()).isEqualTo(24);
    }
    assertThat(ExternalTools.vpxdecSummary(ivf)).containsExactly(24, 24);
    assertThat(ExternalTools.vpxdecSummary(webm)).containsExactly(24, 24);
    assertThat(ExternalTools.vpxdecMd5(webm)).isEqualTo(ExternalTools.vpxdecMd5(ivf));
    assertThat(ivfHeaderCount(ivf)).isEqualTo(24);
    // finished outputs are readable like any file the user writes, not owner-only temp files
    assertThat(java.nio.file.Files.getPosixFilePermissions(ivf))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(java.nio.file.Files.getPosixFilePermissions(webm))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    Map<String, String> p = ExternalTools.ffprobeStream(webm, true,
        "codec_name,width,height,r_frame_rate,avg_frame_rate,nb_read_frames");
    assertThat(p).containsEntry("codec_name", "vp8").containsEntry("width", "128").containsEntry("height", "72")
        .containsEntry("r_frame_rate", "30/1").containsEntry("avg_frame_rate", "30/1")
        .containsEntry("nb_read_frames", "24");
    Map<String, String> q = ExternalTools.ffprobeStream(ivf, true, "codec_name,r_frame_rate,nb_read_frames");
    assertThat(q).containsEntry("codec_name", "vp8").containsEntry("r_frame_rate", "30/1")
        .containsEntry("nb_read_frames", "24");
    // ffmpeg decodes the webm to the same pictures vpxdec produces
    Path a = dir.resolve("ff.yuv");
    Path b = dir.resolve("vpxdec.yuv");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-i", webm.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p",
        a.toString());
    ExternalTools.runOk("vpxdec", "--i420", "-o", b.toString(), ivf.toString());
    assertThat(Files.size(a)).isEqualTo(24L * 128 * 72 * 3 / 2);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
  }

  @Test
  void hiddenAltRefFramesDoNotAddDisplayedFrames() throws Exception {
    String demo = "demo:testsrc2,size=128x72,frames=48";
    VideoInfo v = TestChunks.info(demo);
    List<IvfFrame> frames = encodeChunks(demo, 2, 24,
        EncodeSettings.newBuilder().setLagInFrames(16).setAutoAltRef(true).build());
    long hidden = frames.stream().filter(f -> !Vp8Frames.isShown(f.data())).count();
    assertThat(hidden).as("the test needs hidden frames").isPositive();
    Path ivf = dir.resolve("arf.ivf");
    Path webm = dir.resolve("arf.webm");
    try (OutputWriter w = OutputWriter.open(ivf, OutputContainer.OUTPUT_CONTAINER_IVF, v)) {
      writeAll(w, frames);
      assertThat(w.framesWritten()).isEqualTo(48 + hidden);
      assertThat(w.shownFrames()).isEqualTo(48);
    }
    try (OutputWriter w = OutputWriter.open(webm, OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED, v)) {
      writeAll(w, frames);
    }
    assertThat(ivfHeaderCount(ivf)).isEqualTo(48);
    assertThat(ExternalTools.vpxdecSummary(ivf)).containsExactly(48 + (int) hidden, 48);
    assertThat(ExternalTools.vpxdecSummary(webm)).containsExactly(48 + (int) hidden, 48);
    assertThat(ExternalTools.vpxdecMd5(webm)).isEqualTo(ExternalTools.vpxdecMd5(ivf));
    Map<String, String> p = ExternalTools.ffprobeStream(webm, true, "codec_name,r_frame_rate,avg_frame_rate,nb_read_frames");
    assertThat(p).containsEntry("codec_name", "vp8").containsEntry("nb_read_frames", "48")
        .containsEntry("r_frame_rate", "30/1").containsEntry("avg_frame_rate", "30/1");
    Map<String, String> q = ExternalTools.ffprobeStream(ivf, true, "nb_read_frames,r_frame_rate");
    assertThat(q).containsEntry("nb_read_frames", "48").containsEntry("r_frame_rate", "30/1");
    // ffmpeg's decode of the webm equals vpxdec's, frame for frame
    Path yuv = dir.resolve("arf.yuv");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-i", webm.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p",
        yuv.toString());
    Path yuv2 = dir.resolve("arf-vpxdec.yuv");
    ExternalTools.runOk("vpxdec", "--i420", "-o", yuv2.toString(), webm.toString());
    assertThat(Files.readAllBytes(yuv)).isEqualTo(Files.readAllBytes(yuv2));
  }

  @Test
  void ntscFrameRateSurvivesInWebm() throws Exception {
    String demo = "demo:smptebars,size=96x64,rate=30000/1001,frames=10";
    VideoInfo v = TestChunks.info(demo);
    List<IvfFrame> frames = encodeChunks(demo, 1, 10, EncodeSettings.newBuilder().setPasses(1).build());
    Path webm = dir.resolve("ntsc.webm");
    Path ivf = dir.resolve("ntsc.ivf");
    try (OutputWriter w = OutputWriter.open(webm, OutputContainer.OUTPUT_CONTAINER_WEBM, v)) {
      writeAll(w, frames);
    }
    try (OutputWriter w = OutputWriter.open(ivf, OutputContainer.OUTPUT_CONTAINER_IVF, v)) {
      writeAll(w, frames);
    }
    assertThat(ExternalTools.ffprobeStream(webm, true, "r_frame_rate,avg_frame_rate,nb_read_frames"))
        .containsEntry("r_frame_rate", "30000/1001").containsEntry("avg_frame_rate", "30000/1001")
        .containsEntry("nb_read_frames", "10");
    assertThat(ExternalTools.ffprobeStream(ivf, true, "r_frame_rate,nb_read_frames"))
        .containsEntry("r_frame_rate", "30000/1001").containsEntry("nb_read_frames", "10");
  }

  @Test
  void misuseIsRejected() throws Exception {
    String demo = "demo:testsrc2,size=64x48,frames=4";
    VideoInfo v = TestChunks.info(demo);
    List<IvfFrame> frames = encodeChunks(demo, 1, 4, EncodeSettings.newBuilder().setPasses(1).build());
    Path out = dir.resolve("bad.webm");
    try (OutputWriter w = OutputWriter.open(out, OutputContainer.OUTPUT_CONTAINER_WEBM, v)) {
      assertThatThrownBy(() -> w.write(frames.get(1).data(), 0, false)).hasMessageContaining("first frame must be a keyframe");
      assertThatThrownBy(() -> w.write(frames.get(0).data(), 0, false)).hasMessageContaining("keyframe=false");
      w.write(frames.get(0).data(), 5, true);
      assertThatThrownBy(() -> w.write(frames.get(1).data(), 4, false)).hasMessageContaining("goes backwards");
      assertThatThrownBy(() -> w.write(frames.get(1).data(), 5, false)).hasMessageContaining("repeats");
    }
    VideoInfo wrong = v.toBuilder().setWidth(66).build();
    try (OutputWriter w = OutputWriter.open(dir.resolve("w.ivf"), OutputContainer.OUTPUT_CONTAINER_IVF, wrong)) {
      assertThatThrownBy(() -> w.write(frames.get(0).data(), 0, true)).hasMessageContaining("64x48");
    }
    assertThatThrownBy(() -> OutputWriter.open(dir.resolve("x.mp4"), OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED, v))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(".ivf or .webm");
    // nothing but the outputs themselves is left in the directory
    try (var s = Files.list(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".tt-tmp-")).toList()).isEmpty();
    }
  }
}
