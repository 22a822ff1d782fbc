package io.tinythreads.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoSourceTest {
  @TempDir Path tmp;

  private static List<byte[]> readAll(VideoSource s) {
    List<byte[]> out = new ArrayList<>();
    byte[] buf = new byte[s.frameBytes()];
    while (s.read(buf)) {
      out.add(buf.clone());
    }
    return out;
  }

  @Test
  void demoHasExactFrameCountSizeRateAndIsDeterministic() {
    List<byte[]> first;
    try (VideoSource s = VideoSource.open("demo:testsrc2,size=64x48,frames=5")) {
      VideoInfo v = s.info();
      assertThat(v.getWidth()).isEqualTo(64);
      assertThat(v.getHeight()).isEqualTo(48);
      assertThat(v.getFpsNum()).isEqualTo(30);
      assertThat(v.getFpsDen()).isEqualTo(1);
      assertThat(v.getFrameCount()).isEqualTo(5);
      assertThat(v.getSource()).isEqualTo("demo:testsrc2,size=64x48,frames=5");
      first = readAll(s);
      assertThat(s.framesRead()).isEqualTo(5);
    }
    assertThat(first).hasSize(5);
    assertThat(first.get(0)).hasSize(64 * 48 * 3 / 2);
    // testsrc2 moves: consecutive frames differ
    assertThat(first.get(0)).isNotEqualTo(first.get(4));
    try (VideoSource s = VideoSource.open("demo:testsrc2,size=64x48,frames=5")) {
      List<byte[]> again = readAll(s);
      for (int i = 0; i < 5; i++) {
        assertThat(again.get(i)).as("frame %d", i).isEqualTo(first.get(i));
      }
    }
  }

  @Test
  void demoDefaults() {
    try (VideoSource s = VideoSource.open("demo:")) {
      assertThat(s.info().getWidth()).isEqualTo(640);
      assertThat(s.info().getHeight()).isEqualTo(360);
      assertThat(s.info().getFpsNum()).isEqualTo(30);
      assertThat(s.info().getFrameCount()).isEqualTo(96);
    }
  }

  @Test
  void oddSizeIsPreservedWithRoundedUpChroma() {
    try (VideoSource s = VideoSource.open("demo:testsrc2,size=175x143,frames=3")) {
      assertThat(s.info().getWidth()).isEqualTo(175);
      assertThat(s.info().getHeight()).isEqualTo(143);
      assertThat(s.frameBytes()).isEqualTo(175 * 143 + 2 * 88 * 72);
      assertThat(readAll(s)).hasSize(3);
    }
  }

  @Test
  void ntscRateIsPreserved() {
    try (VideoSource s = VideoSource.open("demo:smptebars,size=96x64,rate=30000/1001,frames=2")) {
      assertThat(s.info().getFpsNum()).isEqualTo(30000);
      assertThat(s.info().getFpsDen()).isEqualTo(1001);
      assertThat(readAll(s)).hasSize(2);
    }
  }

  @Test
  void rgbLavfiSourceIsConvertedWithSwscale() {
    // mandelbrot renders RGB: exercises the swscale path; two opens give identical bytes.
    byte[] a;
    try (VideoSource s = VideoSource.open("demo:mandelbrot,size=80x60,frames=2")) {
      a = readAll(s).get(1);
    }
    try (VideoSource s = VideoSource.open("demo:mandelbrot,size=80x60,frames=2")) {
      assertThat(readAll(s).get(1)).isEqualTo(a);
    }
    // not a flat picture
    assertThat(distinct(a, 80 * 60)).isGreaterThan(10);
  }

  private static int distinct(byte[] b, int n) {
    boolean[] seen = new boolean[256];
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (!seen[b[i] & 0xFF]) {
        seen[b[i] & 0xFF] = true;
        c++;
      }
    }
    return c;
  }

  @Test
  void y4mRoundTripIsBitExact() throws Exception {
    Path f = tmp.resolve("in.y4m");
    Y4mHeader h = Y4mHeader.of(175, 143, 30000, 1001);
    Random rnd = new Random(42);
    List<byte[]> frames = new ArrayList<>();
    try (Y4mWriter w = Y4mWriter.create(f, h)) {
      for (int i = 0; i < 7; i++) {
        byte[] fr = new byte[h.frameBytes()];
        rnd.nextBytes(fr);
        frames.add(fr);
        w.write(fr);
      }
    }
    try (VideoSource s = VideoSource.open(f.toString())) {
      assertThat(s.info().getWidth()).isEqualTo(175);
      assertThat(s.info().getHeight()).isEqualTo(143);
      assertThat(s.info().getFpsNum()).isEqualTo(30000);
      assertThat(s.info().getFpsDen()).isEqualTo(1001);
      List<byte[]> got = readAll(s);
      assertThat(got).hasSize(7);
      for (int i = 0; i < 7; i++) {
        assertThat(Arrays.equals(got.get(i), frames.get(i))).as("frame %d identical", i).isTrue();
      }
      assertThat(s.read(new byte[s.frameBytes()])).isFalse();
    }
  }

  @Test
  void containerFilesDecodeEveryFrame() {
    Path avi = tmp.resolve("clip.avi");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=25", "-frames:v", "11",
        "-pix_fmt", "yuv420p", "-c:v", "mpeg4", "-qscale:v", "2", avi.toString());
    try (VideoSource s = VideoSource.open(avi.toString())) {
      assertThat(s.info().getWidth()).isEqualTo(96);
      assertThat(s.info().getFpsNum()).isEqualTo(25);
      assertThat(s.info().getFpsDen()).isEqualTo(1);
      assertThat(readAll(s)).hasSize(11);
    }
    // 4:4:4 in Matroska (lossless ffv1): swscale path, exact count
    Path mkv = tmp.resolve("clip444.mkv");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=97x65:rate=24000/1001",
        "-frames:v", "9", "-pix_fmt", "yuv444p", "-c:v", "ffv1", mkv.toString());
    try (VideoSource s = VideoSource.open(mkv.toString())) {
      assertThat(s.info().getWidth()).isEqualTo(97);
      assertThat(s.info().getHeight()).isEqualTo(65);
      assertThat(s.info().getFpsNum()).isEqualTo(24000);
      assertThat(s.info().getFpsDen()).isEqualTo(1001);
      assertThat(readAll(s)).hasSize(9);
    }
  }

  @Test
  void tenBitInputIsRefusedWithThePixelFormatName() {
    Path f = tmp.resolve("deep.mkv");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "2",
        "-pix_fmt", "yuv420p10le", "-c:v", "ffv1", f.toString());
    assertThatThrownBy(() -> VideoSource.open(f.toString()))
        .isInstanceOf(MediaException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("unsupported pixel format yuv420p10le");
  }

  @Test
  void missingFile() {
    Path f = tmp.resolve("nope.mp4");
    assertThatThrownBy(() -> VideoSource.open(f.toString()))
        .isInstanceOf(MediaException.class)
        .hasMessage(f + ": no such file");
  }

  @Test
  void textFileIsNotAVideo() throws Exception {
    for (String name : List.of("notes.txt", "notes.dat")) {
      Path f = tmp.resolve(name);
      Files.writeString(f, "this is not a video\nat all\n".repeat(50), StandardCharsets.UTF_8);
      assertThatThrownBy(() -> VideoSource.open(f.toString()))
          .as(name)
          .isInstanceOf(MediaException.class)
          .hasMessageStartingWith(f + ": not a video");
    }
  }

  @Test
  void audioOnlyFileHasNoVideoStream() {
    Path f = tmp.resolve("tone.wav");
    ExternalTools.runOk("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", f.toString());
    assertThatThrownBy(() -> VideoSource.open(f.toString()))
        .isInstanceOf(MediaException.class)
        .hasMessageStartingWith(f + ": no video stream");
  }

  @Test
  void headerOnlyY4mHasZeroFrames() throws Exception {
    Path f = tmp.resolve("empty.y4m");
    Files.writeString(f, "YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> VideoSource.open(f.toString()))
        .isInstanceOf(MediaException.class)
        .hasMessage(f + ": no frames (the video stream is empty)");
  }

  @Test
  void badDemoSpecs() {
    assertThatThrownBy(() -> VideoSource.open("demo:nosuchsource")).isInstanceOf(MediaException.class)
        .hasMessageContaining("unknown lavfi source 'nosuchsource'");
    assertThatThrownBy(() -> VideoSource.open("demo:testsrc2,size=big")).isInstanceOf(MediaException.class)
        .hasMessageContaining("bad demo size 'big'");
    assertThatThrownBy(() -> VideoSource.open("demo:movie,frames=2")).isInstanceOf(MediaException.class)
        .hasMessageContaining("not allowed");
    assertThatThrownBy(() -> VideoSource.open("demo:testsrc2,speed=3")).isInstanceOf(MediaException.class)
        .hasMessageContaining("unknown demo option 'speed'");
    assertThatThrownBy(() -> VideoSource.open("demo:scale")).isInstanceOf(MediaException.class)
        .hasMessageContaining("not a video source");
  }
}
