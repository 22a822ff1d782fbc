package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end, in-process, with real coordinators (embedded, and one started here for the
 * --coordinator path), real workers and libvpx; outputs checked with vpxdec and ffprobe.
 */
class SubmitEndToEndTest {
  static final String DEMO = "demo:testsrc2,size=176x144,frames=24";
  static final int FRAME_BYTES = 176 * 144 + 2 * 88 * 72;

  @TempDir
  static Path shared;

  /** A standalone coordinator for the --coordinator tests (same JVM, reached over loopback). */
  static Session server;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startServer() throws IOException {
    for (String tool : List.of("vpxdec", "ffprobe")) {
      assertThat(run(List.of("which", tool)).exitCode).as(tool + " must be installed (apt-get install vpx-tools ffmpeg)")
          .isZero();
    }
    server = Session.embedded(shared, false);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static String remote() {
    return server.client().target();
  }

  @Test
  void independentIvfFromDemoInput() throws Exception {
    Path out = tmp.resolve("demo.ivf");
    Cli.Result r = Cli.run("submit", DEMO, "-o", out.toString(), "--pipeline", "independent", "--frames-per-chunk", "8",
        "--progress", "plain", "--work-dir", tmp.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("stage=").contains("progress=end")
        .containsPattern("(?m)^coordinator: " + out + ": 24 frames \\(3 keyframes\\), .* kb/s, .* s$");
    // The embedded coordinator's scratch dir is gone (no --keep); the job report sits next to the
    // output (REPORT_API.md).
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("demo.ivf", "demo.ivf.report.json", "demo.ivf.report.html");
    }
    checkVideo(out, 24, 3);
    // Without -y an existing OUTPUT is refused and left alone; with -y it is replaced. (Byte-exact
    // reruns are the coordinator's tests' business: thread workers are not always reproducible,
    // see ThreadLauncher.)
    Files.writeString(out, "not a video");
    Cli.Result again = Cli.run("submit", DEMO, "-o", out.toString(), "--pipeline", "independent", "-N", "8", "-q");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("-y");
    assertThat(Files.readString(out)).isEqualTo("not a video");
    Cli.Result forced = Cli.run("submit", DEMO, "-o", out.toString(), "--pipeline", "independent", "-N", "8", "-q", "-y");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.err()).isEmpty();
    checkVideo(out, 24, 3);
  }

  @Test
  void webmThroughAStandaloneCoordinator() throws Exception {
    Path out = tmp.resolve("demo.webm");
    Cli.Result r = Cli.run("submit", DEMO, "-o", out.toString(), "--pipeline", "independent", "-N", "8",
        "--coordinator", remote(), "--progress", "plain", "-w", "2");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    checkVideo(out, 24, 3);
    Cli.Result status = Cli.run("status", "--coordinator", remote());
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out()).containsPattern("jobs/\\S+\\s+SUCCEEDED\\s+.*" + out);
  }

  @Test
  void xcIvfHasOneKeyframePerBatch() throws Exception {
    Path out = tmp.resolve("xc.ivf");
    Cli.Result r = Cli.run("submit", DEMO, "-o", out.toString(), "--pipeline", "xc", "-N", "8", "-x", "16",
        "--progress", "none");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    checkVideo(out, 24, 1);
  }

  @Test
  void missingInputIsExit3AndWritesNothing() {
    Path in = tmp.resolve("nope.y4m");
    Path out = tmp.resolve("o.ivf");
    Cli.Result embedded = Cli.run("submit", in.toString(), "-o", out.toString());
    assertThat(embedded.exitCode()).as(embedded.toString()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(embedded.err()).startsWith("coordinator: error: ").contains(in.toString());
    assertThat(embedded.err().lines().count()).isEqualTo(1);
    // The coordinator's own check (INVALID_ARGUMENT or a failed job) maps to the same code.
    Cli.Result viaServer = Cli.run("submit", in.toString(), "-o", out.toString(), "--coordinator", remote());
    assertThat(viaServer.exitCode()).as(viaServer.toString()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(viaServer.err()).contains(in.toString()).doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void notAVideoIsExit3() throws Exception {
    Path in = Files.writeString(tmp.resolve("notes.txt"), "this is not a video\n".repeat(50));
    Path out = tmp.resolve("o.webm");
    Cli.Result r = Cli.run("submit", in.toString(), "-o", out.toString(), "--progress", "none");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(r.err()).startsWith("coordinator: error: ").contains("notes.txt");
    assertThat(out).doesNotExist();
  }

  @Test
  void unwritableOutputDirIsExit3() {
    Path out = tmp.resolve("no/such/dir/o.ivf");
    Cli.Result embedded = Cli.run("submit", DEMO, "-o", out.toString());
    assertThat(embedded.exitCode()).as(embedded.toString()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(embedded.err()).contains(out.getParent().toString());
    Cli.Result viaServer = Cli.run("submit", DEMO, "-o", out.toString(), "--coordinator", remote(), "--progress",
        "none");
    assertThat(viaServer.exitCode()).as(viaServer.toString()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(out).doesNotExist();
  }

  /** Decodes with vpxdec (frame count from the raw size) and probes with ffprobe (fps, keyframes). */
  private void checkVideo(Path file, int frames, int keyframes) throws Exception {
    Path yuv = tmp.resolve(file.getFileName() + ".yuv");
    Proc dec = run(List.of("vpxdec", "--i420", "-o", yuv.toString(), file.toString()));
    assertThat(dec.exitCode).as("vpxdec: " + dec.output).isZero();
    assertThat(Files.size(yuv)).as("decoded frames").isEqualTo((long) frames * FRAME_BYTES);
    Proc probe = run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
        "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "default=nw=1", file.toString()));
    assertThat(probe.exitCode).as(probe.output).isZero();
    assertThat(probe.output).contains("codec_name=vp8", "width=176", "height=144", "r_frame_rate=30/1",
        "nb_read_frames=" + frames);
    Proc keys = run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame",
        "-of", "csv=p=0", file.toString()));
    assertThat(keys.output.lines().filter(l -> l.strip().equals("1")).count()).as(keys.output).isEqualTo(keyframes);
  }

  record Proc(int exitCode, String output) {}

  static Proc run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new Proc(p.exitValue(), output);
  }
}
