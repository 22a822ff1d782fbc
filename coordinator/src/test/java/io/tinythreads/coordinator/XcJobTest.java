package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.coordinator.launch.WorkerHandle;
import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.coordinator.report.StageEvent;
import io.tinythreads.fsm.StageKind;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ExCamera[N,x] jobs end to end: real coordinator, real workers, libvpx, the vp8-state re-encoder
 * and the rendezvous relay. Output checked against vpxdec frame by frame.
 */
class XcJobTest {
  /** 36 frames in 6-frame chunks, 4 chunks per batch: 6 chunks, 2 batches, key frames at 0 and 24. */
  static final String INPUT = "demo:testsrc2,size=176x144,frames=36";

  @TempDir
  Path tmp;

  /** The MD5 of every shown frame as vp8-state's decoder sees it, and the key frames' pts. */
  record Decoded(List<String> md5, List<Long> keyframePts, int hidden) {}

  static Decoded decode(Path ivf) throws Exception {
    Decoder d = new Decoder();
    List<String> md5 = new ArrayList<>();
    List<Long> keys = new ArrayList<>();
    int hidden = 0;
    for (IvfFrame f : IvfReader.readAll(ivf)) {
      if ((f.data()[0] & 1) == 0) {
        keys.add(f.pts());
      }
      DecodedFrame df = d.decode(f.data());
      if (df.shown()) {
        md5.add(df.raster().md5Hex());
      } else {
        hidden++;
      }
    }
    return new Decoded(md5, keys, hidden);
  }

  /** vpxdec's MD5 of every shown frame: one output file per frame, so --md5 prints one line each. */
  static List<String> vpxdecFrameMd5s(Path ivf, Path dir) throws Exception {
    Files.createDirectories(dir);
    Harness.ToolResult r = Harness.tool("vpxdec", "--md5", "--i420", "-o", dir.resolve("f-%wx%h-%4.i420").toString(),
        ivf.toString());
    assertThat(r.exitCode()).as("vpxdec: %s", r.output()).isZero();
    List<String> out = new ArrayList<>();
    for (String line : r.output().split("\n")) {
      if (line.matches("[0-9a-f]{32}\\s+.*")) {
        out.add(line.substring(0, 32));
      }
    }
    return out;
  }

  /** Checks an xc output: frame count, key frames, and that vpxdec decodes it bit-identically to vp8-state. */
  static Decoded checkXc(Job job, Path out, int frames, List<Long> keyframePts, Path scratch) throws Exception {
    assertThat(job.getState()).as("job error: %s", job.getError().getMessage()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(job.getSpec().getPipeline()).isEqualTo(Pipeline.PIPELINE_XC);
    assertThat(job.getResult().getFrames()).isEqualTo(frames);
    assertThat(job.getResult().getKeyframes()).isEqualTo(keyframePts.size());
    Decoded d = decode(out);
    assertThat(d.keyframePts()).as("one key frame per batch").isEqualTo(keyframePts);
    assertThat(d.md5()).hasSize(frames);
    assertThat(vpxdecFrameMd5s(out, scratch)).as("vpxdec decodes what vp8-state decodes, frame by frame")
        .isEqualTo(d.md5());
    Harness.ToolResult probe = Harness.tool("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,r_frame_rate,nb_read_frames", "-of", "csv=p=0", out.toString());
    assertThat(probe.output().trim()).isEqualTo("vp8,30/1," + frames);
    // The job report sits next to the output: per-chunk figures, quality, and every worker stage.
    Path json = Path.of(job.getResult().getReportUri());
    assertThat(json).isEqualTo(Reports.jsonPathFor(out)).exists();
    assertThat(Reports.htmlPathFor(out)).exists();
    JobReport report = Reports.readJson(json);
    assertThat(report.summary().frames()).isEqualTo(frames);
    assertThat(report.summary().keyframes()).isEqualTo(keyframePts.size());
    assertThat(report.summary().psnrY()).as("quality against the source").isGreaterThan(25);
    int chunks = job.getProgress().getChunksDone();
    assertThat(report.chunks()).hasSize(chunks);
    assertThat(report.timeline().stream().filter(e -> e.stage().equals("rebase") && e.ok()).map(StageEvent::chunk)
        .distinct().count()).as("a successful rebase bar per chunk").isEqualTo(chunks);
    assertThat(report.timeline()).extracting(StageEvent::stage)
        .contains("launch", "encode_chunk", "dump_state", "encode_given_state", "upload:end_state", "ingest", "join");
    return d;
  }

  /**
   * Twice: once undisturbed with thread workers, once with process workers of which some are
   * killed (SIGKILL) in the middle of the chain: chunks 1 and 2 mid-rebase (chunk 2 is then waiting for chunk 1's final
   * state, and chunk 3 for chunk 2's, so the chain has to resume with replacements, possibly
   * parking chunk 3), chunk 1's replacement again during its rebase, and a batch head during
   * dump-state. The replacements resume from the stored artifacts and the output is the same, byte
   * for byte (libvpx, the re-encoder and the rebase are deterministic, in one JVM or many).
   */
  @Test
  void killedWorkersAnywhereInTheChainChangeNoByte() throws Exception {
    Path reference = tmp.resolve("reference.ivf");
    Path disturbed = tmp.resolve("disturbed.ivf");
    try (Harness h = new Harness(tmp.resolve("ref"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Job job = h.run(Harness.demo(INPUT, reference, 6).setPipeline(Pipeline.PIPELINE_XC).setChunksPerBatch(4)
          .setWorkers(3).build(), Duration.ofSeconds(180));
      checkXc(job, reference, 36, List.of(0L, 24L), tmp.resolve("ref-frames"));
      assertThat(job.getProgress().getWorkerRetries()).isZero();
    }
    // Kill each of these once. The "now" kills are SIGKILLs issued right after the coordinator sent
    // the stage's command, on the same thread, so they always land inside the stage (nothing can
    // answer in between): each costs exactly one retry and leaves one failed bar. The "later" kill
    // fires 150 ms into chunk 3's rebase, while it computes or waits for chunk 2's retried state,
    // or after it finished: it may or may not cost a retry, so it is only counted, not required.
    Set<String> now = ConcurrentHashMap.newKeySet();
    now.addAll(List.of("1/REBASE", "2/REBASE", "4/DUMP_STATE"));
    Set<String> later = ConcurrentHashMap.newKeySet();
    later.add("3/REBASE");
    List<String> killed = java.util.Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService delay = Executors.newSingleThreadScheduledExecutor();
    JobHooks killer = new JobHooks() {
      @Override
      public void stageStarted(String jobId, int chunk, int attempt, StageKind stage, WorkerHandle handle) {
        String key = chunk + "/" + stage;
        if (now.remove(key)) {
          killed.add(key);
          handle.kill(); // destroyForcibly: does not block
        } else if (later.remove(key)) {
          killed.add(key);
          delay.schedule(handle::kill, 150, TimeUnit.MILLISECONDS);
        }
      }
    };
    try (Harness h = new Harness(tmp.resolve("faulty"), LauncherKind.LAUNCHER_PROCESS, killer)) {
      Job job = h.run(Harness.demo(INPUT, disturbed, 6).setPipeline(Pipeline.PIPELINE_XC).setChunksPerBatch(4)
          .setWorkers(3).build(), Duration.ofSeconds(180));
      assertThat(job.getState()).as("%s", job.getError()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(killed).containsExactlyInAnyOrder("1/REBASE", "2/REBASE", "4/DUMP_STATE", "3/REBASE");
      // The killed workers' stages are failed bars in the report's timeline, one per retry (the
      // late kill, if it lands, fails whatever stage chunk 3 is in by then).
      JobReport report = Reports.readJson(Path.of(job.getResult().getReportUri()));
      List<String> failed = report.timeline().stream().filter(e -> !e.ok()).map(e -> e.chunk() + "/" + e.kind())
          .toList();
      assertThat(failed).contains("1/rebase", "2/rebase", "4/dump_state").hasSizeBetween(3, 4)
          .allSatisfy(f -> assertThat(f.startsWith("3/") || List.of("1/rebase", "2/rebase", "4/dump_state").contains(f))
              .as("unexpected failed stage %s", f).isTrue());
      assertThat(job.getProgress().getWorkerRetries()).isEqualTo(failed.size());
    } finally {
      delay.shutdownNow();
    }
    assertThat(Harness.sha256(disturbed)).as("same bytes as the undisturbed run").isEqualTo(Harness.sha256(reference));
  }

  /**
   * libvpx's hidden alt-ref frames (look-ahead on) are re-encoded and rebased like the others: the
   * output has exactly the source's shown frames, the hidden ones in between, and still decodes in
   * vpxdec exactly as in vp8-state.
   */
  @Test
  void hiddenAltRefFramesSurviveReencodeAndRebase() throws Exception {
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Path out = tmp.resolve("arf.ivf");
      Job job = h.run(Harness.demo("demo:testsrc2,size=176x144,frames=36", out, 12).setPipeline(Pipeline.PIPELINE_XC)
          .setChunksPerBatch(3).setWorkers(2)
          .setSettings(io.tinythreads.proto.EncodeSettings.newBuilder().setLagInFrames(10).setAutoAltRef(true))
          .build(), Duration.ofSeconds(120));
      Decoded d = checkXc(job, out, 36, List.of(0L), tmp.resolve("arf-frames"));
      assertThat(d.hidden()).as("hidden alt-ref frames in the joined stream").isPositive();
    }
  }

  /**
   * Workers parked as soon as they would wait for their predecessor (peer wait 1 ms): every wait
   * becomes a quit and a relaunch from stored artifacts once the predecessor has stored what is
   * needed or is rebasing. The job still completes, without a single failed attempt, and with the
   * same bytes as a run where workers simply waited.
   */
  @Test
  void parkingEveryWaitingWorkerChangesNoByte() throws Exception {
    Path reference = tmp.resolve("waited.ivf");
    Path parked = tmp.resolve("parked.ivf");
    io.tinythreads.proto.JobSpec.Builder job = Harness.demo(INPUT, reference, 6).setPipeline(Pipeline.PIPELINE_XC)
        .setChunksPerBatch(6).setWorkers(3);
    try (Harness h = new Harness(tmp.resolve("wait"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      assertThat(h.run(job.build(), Duration.ofSeconds(120)).getState()).isEqualTo(Job.State.SUCCEEDED);
    }
    try (Harness h = new Harness(tmp.resolve("park"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE,
        io.tinythreads.fsm.FsmConfig.defaults().withPeerWait(1))) {
      var op = h.submit("", job.setOutputUri(parked.toString()).build());
      List<io.tinythreads.proto.JobEvent> events = h.watchToEnd(Harness.jobName(op), Duration.ofSeconds(120));
      Job end = h.get(Harness.jobName(op));
      checkXc(end, parked, 36, List.of(0L), tmp.resolve("park-frames"));
      assertThat(end.getProgress().getWorkerRetries()).as("a parked worker is not a failed one").isZero();
      assertThat(events).allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("retried"));
      // Progress names the phases in order; "rebase" once only the serial chain is left.
      List<String> stages = events.stream().map(e -> e.getJob().getProgress().getStage()).distinct().toList();
      assertThat(stages).containsSubsequence("encode", "rebase", "join", "done");
    }
    assertThat(Harness.sha256(parked)).isEqualTo(Harness.sha256(reference));
  }

  /**
   * Few workers, long batches (ExCamera's x = 16): the serial chain must never be starved by
   * workers waiting on it. 17 two-frame chunks: a batch of 16 and a batch of 1.
   */
  @Test
  void oneOrTwoWorkersFinishSixteenChunkBatches() throws Exception {
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      for (int workers : new int[] {1, 2}) {
        Path out = tmp.resolve("w" + workers + ".ivf");
        Job job = h.run(Harness.demo("demo:testsrc2,size=176x144,frames=34", out, 2).setPipeline(Pipeline.PIPELINE_XC)
            .setChunksPerBatch(16).setWorkers(workers).build(), Duration.ofSeconds(180));
        checkXc(job, out, 34, List.of(0L, 32L), tmp.resolve("frames-" + workers));
        assertThat(job.getProgress().getChunksDone()).isEqualTo(17);
        assertThat(job.getProgress().getWorkerRetries()).isZero();
      }
    }
  }
}
