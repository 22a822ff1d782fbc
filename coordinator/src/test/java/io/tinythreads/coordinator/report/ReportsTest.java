package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tinythreads.coordinator.report.JobReport.ChunkReport;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.media.OutputWriter;
import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports of real encodes: a 176x144, 24-frame testsrc2 clip encoded by vpxenc (2-pass, with a
 * hidden alt-ref frame), measured by {@link Reports} and checked against vpxenc's own --psnr.
 */
class ReportsTest {
  @TempDir
  static Path dir;

  static Path source;
  static Path withAltRef;
  static Clips.VpxPsnr altRefPsnr;
  static Path plain;

  @BeforeAll
  static void encode() throws Exception {
    source = Clips.y4m(dir.resolve("src.y4m"), "demo:testsrc2,size=176x144,rate=24,frames=24");
    withAltRef = dir.resolve("altref.ivf");
    altRefPsnr = Clips.vpxenc(source, withAltRef, "--good", "--cpu-used=4", "--end-usage=cq", "--cq-level=32",
        "--passes=2", "--lag-in-frames=16", "--auto-alt-ref=1");
    plain = dir.resolve("plain.ivf");
    Clips.vpxenc(source, plain, "--good", "--cpu-used=4", "--end-usage=cq", "--cq-level=32", "--passes=1");
  }

  @Test
  void measuresAsVpxencDoes() throws Exception {
    JobReport r = Reports.measure(withAltRef, source.toString());
    JobReport.Summary s = r.summary();
    assertThat(s.frames()).isEqualTo(24);
    assertThat(s.hiddenFrames()).as("vpxenc made an alt-ref frame").isPositive();
    assertThat(s.keyframes()).isEqualTo(1);
    List<IvfFrame> ivf = IvfReader.readAll(withAltRef);
    assertThat(ivf).hasSize((int) (24 + s.hiddenFrames()));
    assertThat(s.payloadBytes()).isEqualTo(ivf.stream().mapToLong(f -> f.data().length).sum());
    assertThat(s.fileBytes()).isEqualTo(Files.size(withAltRef));
    assertThat(s.durationSeconds()).isEqualTo(1.0);
    assertThat(s.bitrateKbps()).isCloseTo(Files.size(withAltRef) * 8 / 1000.0, within(1e-9));
    // vpxenc prints its own measurement of the same frames to 3 decimals.
    assertThat(s.psnrOverall()).isCloseTo(altRefPsnr.overall(), within(0.0006));
    assertThat(s.psnrAll()).isCloseTo(altRefPsnr.avg(), within(0.0006));
    assertThat(s.psnrY()).isCloseTo(altRefPsnr.y(), within(0.0006));
    assertThat(s.psnrY()).isGreaterThan(30);
    assertThat(s.ssimAll()).isBetween(0.9, 0.9999);
    assertThat(s.ssimAllDb()).isCloseTo(-10 * Math.log10(1 - s.ssimAll()), within(1e-12));
    assertThat(s.minPsnrY()).isLessThanOrEqualTo(s.psnrY());
    assertThat(r.frames()).extracting(FrameReport::index).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, 24).boxed().toList());
    assertThat(r.frames().getFirst().keyframe()).isTrue();
    assertThat(r.video().width()).isEqualTo(176);
    assertThat(r.video().fpsNum()).isEqualTo(24);
    assertThat(r.chunks()).as("a standalone measurement knows no chunks").isEmpty();
  }

  @Test
  void anOutputAgainstItsOwnDecodeIsLossless() throws Exception {
    Path decoded = dir.resolve("decoded.y4m");
    Clips.run(List.of("vpxdec", "--codec=vp8", "-o", decoded.toString(), withAltRef.toString()));
    JobReport r = Reports.measure(withAltRef, decoded.toString());
    for (FrameReport f : r.frames()) {
      assertThat(f.psnrY()).isEqualTo(100.0);
      assertThat(f.psnrAll()).isEqualTo(100.0);
      assertThat(f.ssimAll()).isEqualTo(1.0);
      assertThat(f.ssimAllDb()).isEqualTo(100.0);
    }
    assertThat(r.summary().psnrOverall()).isEqualTo(100.0);
    assertThat(r.summary().ssimAllDb()).as("capped, not infinite").isEqualTo(100.0);
    Path json = Reports.writeJson(r, dir.resolve("lossless.json"));
    String text = Files.readString(json, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
    assertThat(Json.parse(text)).isInstanceOf(java.util.Map.class);
    assertThat(Reports.readJson(json)).isEqualTo(r);
  }

  @Test
  void webmAndIvfGiveTheSameFigures() throws Exception {
    Path webm = dir.resolve("plain.webm");
    VideoInfo v;
    try (VideoSource s = VideoSource.open(source.toString())) {
      v = s.info();
    }
    try (OutputWriter w = OutputWriter.open(webm, OutputContainer.OUTPUT_CONTAINER_WEBM, v)) {
      long pts = 0;
      for (IvfFrame f : IvfReader.readAll(plain)) {
        w.write(f.data(), pts++, (f.data()[0] & 1) == 0);
      }
    }
    JobReport a = Reports.measure(plain, source.toString());
    JobReport b = Reports.measure(webm, source.toString());
    assertThat(b.frames()).isEqualTo(a.frames());
    assertThat(b.summary().payloadBytes()).isEqualTo(a.summary().payloadBytes());
    assertThat(b.summary().fileBytes()).isNotEqualTo(a.summary().fileBytes());
  }

  @Test
  void mismatchedSourcesAreNamed() throws Exception {
    Path longer = Clips.y4m(dir.resolve("longer.y4m"), "demo:testsrc2,size=176x144,rate=24,frames=30");
    assertThatThrownBy(() -> Reports.measure(plain, longer.toString())).isInstanceOf(ReportException.class)
        .hasMessageContaining("plain.ivf").hasMessageContaining("shows 24 frames").hasMessageContaining("has more");
    Path shorter = Clips.y4m(dir.resolve("shorter.y4m"), "demo:testsrc2,size=176x144,rate=24,frames=20");
    assertThatThrownBy(() -> Reports.measure(plain, shorter.toString())).isInstanceOf(ReportException.class)
        .hasMessageContaining("more frames than the source");
    Path smaller = Clips.y4m(dir.resolve("smaller.y4m"), "demo:testsrc2,size=160x120,rate=24,frames=24");
    assertThatThrownBy(() -> Reports.measure(plain, smaller.toString())).isInstanceOf(ReportException.class)
        .hasMessageContaining("frame 0 is 176x144").hasMessageContaining("160x120");
    Path notVideo = Files.writeString(dir.resolve("junk.ivf"), "DKIF but not really");
    assertThatThrownBy(() -> Reports.measure(notVideo, source.toString())).isInstanceOf(RuntimeException.class)
        .hasMessageContaining("junk.ivf");
    assertThatThrownBy(() -> Reports.measure(dir.resolve("missing.ivf"), source.toString()))
        .isInstanceOf(ReportException.class).hasMessageContaining("missing.ivf: no such file");
  }

  @Test
  void jobReportWithChunksAndTimeline() throws Exception {
    List<IvfFrame> frames = IvfReader.readAll(plain);
    List<ChunkOutput> chunks = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      long bytes = 0;
      int keys = 0;
      for (int i = c * 8; i < c * 8 + 8; i++) {
        bytes += frames.get(i).data().length;
        keys += (frames.get(i).data()[0] & 1) == 0 ? 1 : 0;
      }
      chunks.add(new ChunkOutput(c, c * 8L, 8, bytes, keys));
    }
    long t0 = 1_763_000_000_000_000L;
    List<StageEvent> timeline = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      String w = "job1-c" + c + "-a0";
      long s = t0 + c * 100_000L;
      timeline.add(new StageEvent(c, 0, w, "launch", s, s + 300_000, true, ""));
      timeline.add(new StageEvent(c, 0, w, "fetch:raw_chunk", s + 300_000, s + 350_000, true, ""));
      if (c == 1) {
        timeline.add(new StageEvent(c, 0, w, "encode_chunk", s + 350_000, s + 900_000, false, "worker lost <disconnected>"));
        w = "job1-c1-a1";
        s += 1_000_000;
        timeline.add(new StageEvent(c, 1, w, "launch", s, s + 300_000, true, ""));
        timeline.add(new StageEvent(c, 1, w, "fetch:raw_chunk", s + 300_000, s + 350_000, true, ""));
      }
      timeline.add(new StageEvent(c, c == 1 ? 1 : 0, w, "encode_chunk", s + 350_000, s + 1_350_000, true, ""));
      timeline.add(new StageEvent(c, c == 1 ? 1 : 0, w, "upload:output_chunk", s + 1_350_000, s + 1_400_000, true, ""));
    }
    timeline.add(new StageEvent(-1, 0, "coordinator", "join", t0 + 2_600_000, t0 + 2_700_000, true, ""));
    JobSpec spec = JobSpec.newBuilder().setPipeline(Pipeline.PIPELINE_INDEPENDENT).setFramesPerChunk(8)
        .setChunksPerBatch(1).setWorkers(2).setLauncher(LauncherKind.LAUNCHER_THREAD)
        .setContainer(OutputContainer.OUTPUT_CONTAINER_IVF).setInputUri(source.toString()).build();
    VideoInfo v;
    try (VideoSource s = VideoSource.open(source.toString())) {
      v = s.info().toBuilder().setFrameCount(24).build();
    }
    ReportInput in = new ReportInput("job1", spec, v, plain, t0, 2.7, chunks, timeline);
    JobReport r = Reports.build(in, source.toString());

    assertThat(r.jobId()).isEqualTo("job1");
    assertThat(r.setup().pipeline()).isEqualTo("independent");
    assertThat(r.setup().encoder()).startsWith("--codec=vp8 --good --cpu-used=0 --end-usage=cq");
    assertThat(r.chunks()).hasSize(3);
    for (ChunkReport c : r.chunks()) {
      assertThat(c.frames()).isEqualTo(8);
      assertThat(c.bytes()).isEqualTo(chunks.get(c.index()).bytes());
      assertThat(c.firstFrame()).isEqualTo(c.index() * 8L);
      assertThat(c.batch()).isEqualTo(c.index());
    }
    assertThat(r.chunks().stream().mapToLong(ChunkReport::bytes).sum()).isEqualTo(r.summary().payloadBytes());
    assertThat(r.chunks().getFirst().keyframes()).isEqualTo(1);
    assertThat(r.frames().get(9).chunk()).isEqualTo(1);
    assertThat(r.timeline()).hasSize(timeline.size());
    assertThat(r.timeline().getFirst().workerId()).as("coordinator row first").isEqualTo("coordinator");

    Reports.Written w = Reports.write(r, plain);
    assertThat(w.json()).isEqualTo(dir.resolve("plain.ivf.report.json"));
    assertThat(w.html()).isEqualTo(dir.resolve("plain.ivf.report.html"));
    assertThat(Reports.readJson(w.json())).isEqualTo(r);
    for (Path p : List.of(w.json(), w.html())) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .as("%s is readable like any file the user writes", p.getFileName()).isEqualTo("rw-r--r--");
    }

    String html = Files.readString(w.html(), StandardCharsets.UTF_8);
    assertThat(count(html, "<g class=\"worker\"")).as("one row per worker").isEqualTo(5);
    for (String worker : List.of("coordinator", "job1-c0-a0", "job1-c1-a0", "job1-c1-a1", "job1-c2-a0")) {
      assertThat(html).contains("data-worker=\"" + worker + "\"");
    }
    assertThat(html).contains("FAILED: worker lost &lt;disconnected&gt;").doesNotContain("<disconnected>")
        .contains("stroke=\"#d00000\"").contains("<svg class=\"timeline\"").contains("<svg class=\"quality\"")
        .contains("<svg class=\"bytes\"").contains("seconds since the job started").doesNotContain("<script");
    // Every bar of the timeline is a rect with a tooltip; 16 events in all.
    String timelineSvg = html.substring(html.indexOf("<svg class=\"timeline\""), html.indexOf("</svg>"));
    assertThat(count(timelineSvg, "<rect ")).isEqualTo(timeline.size());
    // The encode bar of chunk 0 starts 0.35 s after the origin over a 2.7 s span: x = 90 + 0.35/2.7*850.
    Matcher m = Pattern.compile("<rect x=\"([0-9.]+)\"[^>]*><title>encode_chunk, chunk 0,").matcher(timelineSvg);
    assertThat(m.find()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isCloseTo(90 + 0.35 / 2.7 * 850, within(0.01));
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
