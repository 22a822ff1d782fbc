package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.longrunning.Operation;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.proto.CancelJobRequest;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobProgress;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.ListJobsResponse;
import io.tinythreads.proto.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Jobs API over real loopback gRPC: validation, errors, idempotency, listing, watch, cancel. */
class JobsApiTest {
  static final String SMALL = "demo:testsrc2,size=96x64,frames=12";
  @TempDir
  static Path tmp;
  static Harness h;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static StatusRuntimeException submitError(JobSpec spec) {
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> h.submit("", spec));
    return e;
  }

  @Test
  void healthIsServing() {
    var health = HealthGrpc.newBlockingStub(h.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder().setService("tinythreads.v1.Jobs").build()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void missingInputIsInvalidArgumentNamingTheFile() throws Exception {
    Path out = tmp.resolve("missing.webm");
    StatusRuntimeException e = submitError(Harness.demo(tmp.resolve("no-such.y4m").toString(), out, 6).build());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("spec.input_uri").contains("no-such.y4m");
    assertThat(out).doesNotExist();
  }

  @Test
  void textFileIsInvalidArgumentNamingTheFile() throws Exception {
    Path text = tmp.resolve("notes.txt");
    Files.writeString(text, "this is not a video\n".repeat(50));
    Path out = tmp.resolve("text.ivf");
    StatusRuntimeException e = submitError(Harness.demo(text.toString(), out, 6).build());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("notes.txt");
    assertThat(out).doesNotExist();
  }

  @Test
  void unwritableOrMissingOutputDirectoryIsInvalidArgument() {
    // /proc refuses new files even for root, where permission bits do not.
    StatusRuntimeException e = submitError(Harness.demo(SMALL, Path.of("/proc/tt-out.webm"), 6).build());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("spec.output_uri").contains("not writable");
    assertThat(Path.of("/proc/tt-out.webm")).doesNotExist();

    e = submitError(Harness.demo(SMALL, tmp.resolve("no/such/dir/out.webm"), 6).build());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("does not exist");
  }

  @Test
  void badSpecFieldsAreNamed() {
    record Case(JobSpec spec, String field) {}
    Path out = tmp.resolve("bad.ivf");
    List<Case> cases = List.of(
        new Case(Harness.demo(SMALL, tmp.resolve("bad.mp4"), 6).build(), "extension"),
        new Case(Harness.demo(SMALL, out, -1).build(), "spec.frames_per_chunk"),
        new Case(Harness.demo(SMALL, out, 6).setChunksPerBatch(-2).build(), "spec.chunks_per_batch"),
        new Case(Harness.demo(SMALL, out, 6).setSettings(EncodeSettings.newBuilder().setCqLevel(64)).build(),
            "spec.settings.cq_level"),
        new Case(Harness.demo(SMALL, out, 6).setSettings(EncodeSettings.newBuilder().setCpuUsed(17)).build(),
            "spec.settings.cpu_used"),
        new Case(Harness.demo(SMALL, out, 6).setSettings(EncodeSettings.newBuilder().setPasses(3)).build(),
            "spec.settings.passes"),
        new Case(Harness.demo(SMALL, out, 6).setWorkers(-1).build(), "spec.workers"),
        new Case(Harness.demo("", out, 6).build(), "spec.input_uri"),
        new Case(Harness.demo(SMALL, out, 6).setOutputUri("").build(), "spec.output_uri"));
    for (Case c : cases) {
      StatusRuntimeException e = submitError(c.spec());
      assertThat(e.getStatus().getCode()).as(c.field()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).as(c.field()).contains(c.field());
    }
    assertThat(out).doesNotExist();
  }

  @Test
  void unavailableLaunchersAreUnimplemented() {
    for (LauncherKind k : List.of(LauncherKind.LAUNCHER_KUBERNETES, LauncherKind.LAUNCHER_LAMBDA)) {
      StatusRuntimeException e = submitError(Harness.demo(SMALL, tmp.resolve("k.ivf"), 6).setLauncher(k).build());
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
      assertThat(e.getStatus().getDescription()).contains("is not available in this build; see deploy/README.md");
    }
  }

  @Test
  void unknownAndMalformedJobNames() {
    assertThatThrownBy(() -> h.get("jobs/nope")).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> h.get("nope")).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> h.unary().cancelJob(CancelJobRequest.newBuilder().setName("jobs/nope").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    var it = h.jobs.withDeadlineAfter(5, TimeUnit.SECONDS)
        .watchJob(io.tinythreads.proto.WatchJobRequest.newBuilder().setName("jobs/nope").build());
    assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void sameRequestIdGivesTheSameOperationAndOneJob() {
    Path out = tmp.resolve("idem.ivf");
    JobSpec spec = Harness.demo(SMALL, out, 6).build();
    Operation a = h.submit("req-42", spec);
    Operation b = h.submit("req-42", spec);
    assertThat(b.getName()).isEqualTo(a.getName()).startsWith("operations/");
    Operation c = h.submit("req-43", spec.toBuilder().setOutputUri(tmp.resolve("idem2.ivf").toString()).build());
    assertThat(c.getName()).isNotEqualTo(a.getName());
    List<JobEvent> events = h.watchToEnd(Harness.jobName(a), Duration.ofSeconds(60));
    h.watchToEnd(Harness.jobName(c), Duration.ofSeconds(60));
    assertThat(events.getLast().getJob().getState()).isEqualTo(Job.State.SUCCEEDED);
    // A retry after the job finished still returns the same, now finished, operation.
    Operation again = h.submit("req-42", spec);
    assertThat(again.getName()).isEqualTo(a.getName());
    assertThat(again.getDone()).isTrue();
    assertThat(again.hasResponse()).isTrue();
    long sameName = allJobs().stream().filter(j -> j.getName().equals(Harness.jobName(a))).count();
    assertThat(sameName).isEqualTo(1);
  }

  @Test
  void submitShowsDefaultsAndOperationCarriesProgress() throws Exception {
    Path out = tmp.resolve("defaults.webm");
    Operation op = h.submit("", JobSpec.newBuilder().setInputUri(SMALL).setOutputUri(out.toString()).build());
    assertThat(op.getDone()).isFalse();
    assertThat(op.getMetadata().is(JobProgress.class)).isTrue();
    Job job = h.get(Harness.jobName(op));
    // ExCamera[6,16] is the default.
    assertThat(job.getSpec().getPipeline()).isEqualTo(Pipeline.PIPELINE_XC);
    assertThat(job.getSpec().getFramesPerChunk()).isEqualTo(6);
    assertThat(job.getSpec().getChunksPerBatch()).isEqualTo(16);
    assertThat(job.getSpec().getSettings().getKfQWeight()).isEqualTo(0.75);
    assertThat(job.getSpec().getMaxAttemptsPerChunk()).isEqualTo(3);
    assertThat(job.getSpec().getSettings().getCqLevel()).isEqualTo(32);
    assertThat(job.getSpec().getSettings().getPasses()).isEqualTo(2);
    assertThat(job.getSpec().getContainer()).isEqualTo(io.tinythreads.proto.OutputContainer.OUTPUT_CONTAINER_WEBM);
    assertThat(job.getVideo().getWidth()).isEqualTo(96);
    List<JobEvent> events = h.watchToEnd(job.getName(), Duration.ofSeconds(60));
    Job end = events.getLast().getJob();
    assertThat(end.getState()).as("%s", end.getError()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(JobsService.operation(end).getResponse().unpack(Job.class).getResult().getFrames()).isEqualTo(12);
    assertThat(end.getResult().getKeyframes()).as("12 frames are one batch").isEqualTo(1);
    assertThat(out).exists();
  }

  @Test
  void watchStreamsProgressToATerminalEvent() {
    Operation op = h.submit("", Harness.demo("demo:testsrc2,size=96x64,frames=24", tmp.resolve("watch.ivf"), 6)
        .setWorkers(1).build());
    List<JobEvent> events = h.watchToEnd(Harness.jobName(op), Duration.ofSeconds(60));
    assertThat(events.size()).isGreaterThanOrEqualTo(3);
    assertThat(events.getLast().getJob().getState()).isEqualTo(Job.State.SUCCEEDED);
    for (JobEvent e : events.subList(0, events.size() - 1)) {
      assertThat(e.getJob().getState()).isIn(Job.State.QUEUED, Job.State.RUNNING);
    }
    List<Integer> done = events.stream().map(e -> e.getJob().getProgress().getChunksDone()).toList();
    assertThat(done).isSorted().contains(4);
    assertThat(events.getLast().getJob().getProgress().getFramesDone()).isEqualTo(24);
    assertThat(events.stream().map(JobEvent::getMessage)).anyMatch(m -> m.contains("chunk 3 done"));
    // Watching a finished job gives its final event at once.
    List<JobEvent> after = h.watchToEnd(Harness.jobName(op), Duration.ofSeconds(10));
    assertThat(after).hasSize(1);
    assertThat(after.getFirst().getJob().getState()).isEqualTo(Job.State.SUCCEEDED);
  }

  @Test
  void cancelStopsTheJobAndLeavesNoOutput() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("cancel"));
    Path out = dir.resolve("cancelled.webm");
    // Long enough that it cannot finish before the cancel: 300 frames at 320x240, one worker.
    Operation op = h.submit("", Harness.demo("demo:testsrc2,size=320x240,frames=300", out, 10).setWorkers(1).build());
    String name = Harness.jobName(op);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (h.get(name).getProgress().getWorkersRunning() == 0 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    Job cancelled = h.unary().cancelJob(CancelJobRequest.newBuilder().setName(name).build());
    assertThat(cancelled.getState()).isEqualTo(Job.State.CANCELLED);
    assertThat(cancelled.getProgress().getWorkersRunning()).isZero();
    assertThat(cancelled.getProgress().getChunksDone()).isLessThan(30);
    // The server goes on serving other jobs.
    Operation next = h.submit("", Harness.demo(SMALL, dir.resolve("next.ivf"), 6).build());
    assertThat(h.watchToEnd(Harness.jobName(next), Duration.ofSeconds(60)).getLast().getJob().getState())
        .isEqualTo(Job.State.SUCCEEDED);
    // Cancelling twice is harmless; the watch of a cancelled job ends at once.
    assertThat(h.unary().cancelJob(CancelJobRequest.newBuilder().setName(name).build()).getState())
        .isEqualTo(Job.State.CANCELLED);
    assertThat(h.watchToEnd(name, Duration.ofSeconds(5)).getLast().getJob().getState()).isEqualTo(Job.State.CANCELLED);
    assertThat(out).doesNotExist();
    assertThat(Harness.leftovers(dir, "cancelled")).isEmpty();
    // Its intermediates go too (ingest may still be finishing its last chunk).
    Path blobs = tmp.resolve("work/blobs/jobs").resolve(name.substring("jobs/".length()));
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.exists(blobs) && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(blobs).doesNotExist();
  }

  /**
   * ExCamera[4,2] on 12 frames: chunks 0+1 form a batch, chunk 2 a batch of its own, so the output
   * has exactly two key frames (frames 0 and 8) and plays in vpxdec; intermediates are removed.
   */
  @Test
  void xcJobHasOneKeyframePerBatch() throws Exception {
    Path out = tmp.resolve("xc.ivf");
    Job job = h.run(Harness.demo(SMALL, out, 4).setPipeline(Pipeline.PIPELINE_XC).setChunksPerBatch(2).build(),
        Duration.ofSeconds(60));
    assertThat(job.getState()).as("%s", job.getError()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(job.getResult().getFrames()).isEqualTo(12);
    assertThat(job.getResult().getKeyframes()).isEqualTo(2);
    assertThat(EndToEndTest.keyframePts(out)).containsExactly(0L, 8L);
    assertThat(Harness.vpxdecFrames(out)).isEqualTo(12);
    assertThat(job.getProgress().getChunksDone()).isEqualTo(3);
    assertThat(job.getProgress().getWorkerRetries()).isZero();
    Path blobs = tmp.resolve("work/blobs/jobs").resolve(job.getName().substring("jobs/".length()));
    assertThat(blobs).doesNotExist();
  }

  @Test
  void listJobsPages() {
    for (int i = 0; i < 3; i++) {
      h.submit("list-" + i, Harness.demo(SMALL, tmp.resolve("list" + i + ".ivf"), 12).build());
    }
    List<Job> all = allJobs();
    assertThat(all.size()).isGreaterThanOrEqualTo(3);
    ListJobsResponse first = h.unary().listJobs(ListJobsRequest.newBuilder().setPageSize(2).build());
    assertThat(first.getJobsList()).hasSize(2);
    assertThat(first.getNextPageToken()).isNotEmpty();
    ListJobsResponse second = h.unary().listJobs(ListJobsRequest.newBuilder().setPageSize(2)
        .setPageToken(first.getNextPageToken()).build());
    assertThat(second.getJobs(0).getName()).isEqualTo(all.get(2).getName());
    assertThatThrownBy(() -> h.unary().listJobs(ListJobsRequest.newBuilder().setPageToken("garbage!").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    for (Job j : all) {
      if (j.getSpec().getOutputUri().contains("list")) {
        assertThat(h.watchToEnd(j.getName(), Duration.ofSeconds(60)).getLast().getJob().getState())
            .isEqualTo(Job.State.SUCCEEDED);
      }
    }
  }

  static List<Job> allJobs() {
    List<Job> out = new java.util.ArrayList<>();
    String token = "";
    do {
      ListJobsResponse r = h.unary().listJobs(ListJobsRequest.newBuilder().setPageSize(1).setPageToken(token).build());
      out.addAll(r.getJobsList());
      token = r.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }
}
