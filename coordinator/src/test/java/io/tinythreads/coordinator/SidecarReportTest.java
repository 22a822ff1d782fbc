package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.fsm.BlobKeys;
import io.tinythreads.media.ChunkQuality;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A job's report is built from its workers' per-chunk quality sidecars, with no decode of the
 * whole output, and is exactly the report a whole-output measurement gives; a missing sidecar falls
 * back to that measurement. Real coordinator, thread launcher, real libvpx.
 */
class SidecarReportTest {
  @TempDir Path tmp;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger reportsLog = (Logger) LoggerFactory.getLogger(Reports.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    reportsLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    reportsLog.detachAppender(logs);
  }

  private List<String> messages(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Runs {@code spec} to success and returns its report as written. */
  private static JobReport run(Harness h, JobSpec spec) throws Exception {
    Job job = h.run(spec, Duration.ofSeconds(180));
    assertThat(job.getState()).as("%s", job.getError()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(job.getResult().getReportUri()).isNotEmpty();
    return Reports.readJson(Path.of(job.getResult().getReportUri()));
  }

  /**
   * The job's summary and frames are exactly those of {@link Reports#measure} on the output (which
   * knows no chunks: its frames carry chunk -1, the job's the chunk of {@code n} frames).
   */
  private static void assertSameAsWholeOutput(JobReport job, Path out, String source, int n) throws Exception {
    JobReport whole = Reports.measure(out, source);
    assertThat(job.summary()).isEqualTo(whole.summary());
    List<FrameReport> expected = whole.frames().stream().map(f -> new FrameReport(f.index(), (int) (f.index() / n),
        f.keyframe(), f.bytes(), f.psnrY(), f.psnrAll(), f.ssimY(), f.ssimAll())).toList();
    assertThat(job.frames()).isEqualTo(expected);
    assertThat(job.video().width()).isEqualTo(whole.video().width());
    assertThat(job.video().height()).isEqualTo(whole.video().height());
  }

  @Test
  void independentJobReportFromSidecarsEqualsTheWholeOutputMeasurement() throws Exception {
    String source = "demo:testsrc2,size=176x144,frames=24";
    Path out = tmp.resolve("ind.ivf");
    try (Harness h = new Harness(tmp.resolve("h"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      JobReport r = run(h, Harness.demo(source, out, 6).setPipeline(Pipeline.PIPELINE_INDEPENDENT).setWorkers(2)
          .build());
      assertThat(messages(Level.WARN)).isEmpty();
      assertThat(messages(Level.INFO)).anyMatch(m -> m.contains("(from 4 chunk sidecars)"));
      assertThat(r.summary().frames()).isEqualTo(24);
      assertThat(r.summary().keyframes()).isEqualTo(4);
      assertThat(r.chunks()).hasSize(4);
      assertSameAsWholeOutput(r, out, source, 6);
    }
  }

  /**
   * ExCamera[8,3] over 48 frames (two batches, so heads decoded from scratch and rebased chunks
   * decoded from their predecessors' final states) with alt-ref frames (hidden; their bytes count
   * with the next shown frame, across chunk ends too).
   */
  @Test
  void xcJobWithAltRefsReportFromSidecarsEqualsTheWholeOutputMeasurement() throws Exception {
    String source = "demo:testsrc2,size=176x144,frames=48";
    Path out = tmp.resolve("xc.ivf");
    try (Harness h = new Harness(tmp.resolve("h"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      JobReport r = run(h, Harness.demo(source, out, 8).setPipeline(Pipeline.PIPELINE_XC).setChunksPerBatch(3)
          .setWorkers(2).setSettings(EncodeSettings.newBuilder().setLagInFrames(10).setAutoAltRef(true)).build());
      assertThat(messages(Level.WARN)).isEmpty();
      assertThat(messages(Level.INFO)).anyMatch(m -> m.contains("(from 6 chunk sidecars)"));
      assertThat(r.summary().hiddenFrames()).as("hidden alt-ref frames").isPositive();
      assertThat(r.summary().keyframes()).as("one key frame per batch").isEqualTo(2);
      assertThat(r.chunks()).extracting(JobReport.ChunkReport::batch).containsExactly(0, 0, 0, 1, 1, 1);
      assertSameAsWholeOutput(r, out, source, 8);
    }
  }

  /** One chunk's sidecar lost before the report: the whole output is measured, with the same result. */
  @Test
  void aMissingSidecarFallsBackToTheWholeOutputMeasurement() throws Exception {
    String source = "demo:testsrc2,size=176x144,frames=24";
    AtomicReference<String> deleted = new AtomicReference<>();
    JobHooks dropOne = new JobHooks() {
      @Override
      public void reportStarting(String jobId, BlobStore blobs) {
        String key = BlobKeys.quality(jobId, 2);
        assertThat(blobs.exists(key)).as("worker stored %s", key).isTrue();
        blobs.deletePrefix(key);
        deleted.set(key);
      }
    };
    JobSpec.Builder spec = Harness.demo(source, tmp.resolve("a.ivf"), 6).setPipeline(Pipeline.PIPELINE_XC)
        .setChunksPerBatch(2).setWorkers(2);
    JobReport fromSidecars;
    try (Harness h = new Harness(tmp.resolve("h1"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      fromSidecars = run(h, spec.build());
    }
    assertThat(messages(Level.WARN)).isEmpty();
    Path out = tmp.resolve("b.ivf");
    JobReport fallback;
    try (Harness h = new Harness(tmp.resolve("h2"), LauncherKind.LAUNCHER_THREAD, dropOne)) {
      fallback = run(h, spec.setOutputUri(out.toString()).build());
    }
    assertThat(deleted.get()).isNotNull();
    assertThat(messages(Level.WARN)).singleElement().asString().contains("chunk 2: no quality sidecar " + deleted.get())
        .contains("measuring the whole output");
    assertThat(fallback.summary()).isEqualTo(fromSidecars.summary());
    assertThat(fallback.frames()).isEqualTo(fromSidecars.frames());
    assertThat(fallback.chunks()).isEqualTo(fromSidecars.chunks());
    assertSameAsWholeOutput(fallback, out, source, 6);
  }

  @Test
  void workerAndCoordinatorAgreeOnTheSidecarKey() {
    String output = BlobKeys.key("j-1", 7, Artifact.ARTIFACT_OUTPUT_CHUNK);
    assertThat(ChunkQuality.keyFor(output)).isEqualTo(BlobKeys.quality("j-1", 7));
    assertThat(ChunkQuality.rawKeyFor(output)).isEqualTo(BlobKeys.key("j-1", 7, Artifact.ARTIFACT_RAW_CHUNK));
  }
}
