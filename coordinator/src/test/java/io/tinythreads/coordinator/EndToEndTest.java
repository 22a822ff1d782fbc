package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobResult;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole independent-pipeline jobs (ExCamera[N,1]): real coordinator, real workers (threads and
 * processes) over loopback gRPC, real libvpx, output checked with vpxdec. The xc pipeline has
 * {@link XcJobTest}.
 */
class EndToEndTest {
  static final String INPUT = "demo:testsrc2,size=176x144,frames=30";

  @TempDir
  Path tmp;

  static io.tinythreads.proto.JobSpec.Builder independent(String input, Path out, int n) {
    return Harness.demo(input, out, n).setPipeline(io.tinythreads.proto.Pipeline.PIPELINE_INDEPENDENT);
  }

  /** Keyframe positions (global frame numbers) in an IVF, and its frame count. */
  static List<Long> keyframePts(Path ivf) throws Exception {
    List<IvfFrame> frames = IvfReader.readAll(ivf);
    return frames.stream().filter(f -> (f.data()[0] & 1) == 0).map(IvfFrame::pts).toList();
  }

  static void checkOutput(Job job, Path out) throws Exception {
    assertThat(job.getState()).as("job error: %s", job.getError().getMessage()).isEqualTo(Job.State.SUCCEEDED);
    JobResult r = job.getResult();
    assertThat(r.getOutputUri()).isEqualTo(out.toString());
    assertThat(r.getFrames()).isEqualTo(30);
    assertThat(r.getKeyframes()).isEqualTo(3);
    assertThat(r.getOutputBytes()).isEqualTo(Files.size(out));
    assertThat(r.getBitrateKbps()).isCloseTo(Files.size(out) * 8 / 1.0 / 1000, org.assertj.core.data.Offset.offset(0.01));
    assertThat(r.getWallSeconds()).isPositive();
    assertThat(job.getProgress().getChunksDone()).isEqualTo(3);
    assertThat(job.getProgress().getFramesDone()).isEqualTo(30);
    assertThat(job.getProgress().getStage()).isEqualTo("done");
    assertThat(Harness.vpxdecFrames(out)).isEqualTo(30);
    assertThat(keyframePts(out)).as("one keyframe at the start of each 10-frame chunk").containsExactly(0L, 10L, 20L);
    assertThat(Harness.leftovers(out.getParent(), ".tmp-")).isEmpty();
  }

  /**
   * Thread workers: valid output, one keyframe per chunk, intermediates removed. Byte-exact
   * reproducibility is asserted on process workers below: libvpx encodes inside one long-lived JVM
   * were seen to differ from a clean run in rare chunks (see ThreadLauncher), which a worker process
   * per chunk does not show.
   */
  @Test
  void threadWorkersEncodeTheWholeInput() throws Exception {
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Path a = tmp.resolve("a.ivf");
      Path b = tmp.resolve("b.ivf");
      checkOutput(h.run(independent(INPUT, a, 10).build(), Duration.ofSeconds(90)), a);
      checkOutput(h.run(independent(INPUT, b, 10).setWorkers(1).build(), Duration.ofSeconds(90)), b);
      // Intermediates of a finished job are removed.
      Path jobs = tmp.resolve("work/blobs/jobs");
      if (Files.exists(jobs)) {
        try (var s = Files.walk(jobs)) {
          assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
      }
    }
  }

  /** Process workers, two at a time, twice: identical bytes (same input and settings, same output). */
  @Test
  void processWorkersEncodeDeterministically() throws Exception {
    Path first = tmp.resolve("first.ivf");
    Path second = tmp.resolve("second.ivf");
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_PROCESS, JobHooks.NONE)) {
      Job job = h.run(independent(INPUT, first, 10).setWorkers(2).build(), Duration.ofSeconds(120));
      checkOutput(job, first);
      assertThat(job.getSpec().getLauncher()).isEqualTo(LauncherKind.LAUNCHER_PROCESS);
      // Each worker process wrote its own log.
      try (var s = Files.walk(tmp.resolve("work/logs"))) {
        assertThat(s.filter(p -> p.toString().endsWith(".log")).count()).isEqualTo(3);
      }
      checkOutput(h.run(independent(INPUT, second, 10).setWorkers(2).build(), Duration.ofSeconds(120)), second);
    }
    assertThat(Harness.sha256(second)).as("same input and settings, same bytes").isEqualTo(Harness.sha256(first));
  }

  @Test
  void webmOutputPlays() throws Exception {
    Path out = tmp.resolve("out.webm");
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Job job = h.run(independent(INPUT, out, 10).build(), Duration.ofSeconds(90));
      assertThat(job.getState()).as("%s", job.getError()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(job.getResult().getKeyframes()).isEqualTo(3);
    }
    assertThat(Harness.vpxdecFrames(out)).isEqualTo(30);
    Harness.ToolResult probe = Harness.tool("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", out.toString());
    assertThat(probe.exitCode()).as(probe.output()).isZero();
    assertThat(probe.output().trim()).isEqualTo("vp8,30");
  }
}
