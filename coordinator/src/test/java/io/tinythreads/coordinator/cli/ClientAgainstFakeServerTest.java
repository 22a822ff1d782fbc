package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import io.grpc.Status;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobProgress;
import io.tinythreads.proto.JobResult;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.SubmitJobRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a scripted Jobs service over real loopback gRPC: what it sends, what it prints
 * and which exit code it chooses for each way a job can end.
 */
class ClientAgainstFakeServerTest {
  @TempDir
  Path tmp;

  FakeJobs fake;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeJobs();
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  private static JobEvent event(Job.State state, String stage, int chunksDone, long framesDone) {
    return JobEvent.newBuilder().setJob(Job.newBuilder().setName("jobs/j1").setState(state)
        .setProgress(JobProgress.newBuilder().setStage(stage).setChunksTotal(3).setChunksDone(chunksDone)
            .setFramesTotal(24).setFramesDone(framesDone).setFramesPerSecond(12).setEtaSeconds(1)))
        .build();
  }

  private static JobEvent succeeded(String output) {
    JobEvent done = event(Job.State.SUCCEEDED, "done", 3, 24);
    return done.toBuilder().setJob(done.getJob().toBuilder().setResult(JobResult.newBuilder().setOutputUri(output)
        .setOutputBytes(12_800).setFrames(24).setKeyframes(3).setBitrateKbps(128.0).setWallSeconds(1.5))).build();
  }

  private static JobEvent failed(Status.Code code, String message) {
    JobEvent e = event(Job.State.FAILED, "encode", 1, 8);
    return e.toBuilder().setJob(e.getJob().toBuilder()
        .setError(com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message))).build();
  }

  private Cli.Result submit(String... extra) {
    String[] base = {"submit", "demo:testsrc2,size=176x144,frames=24", "-o", tmp.resolve("out.ivf").toString(),
        "--coordinator", fake.address(), "--progress", "plain"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.run(args);
  }

  @Test
  void successSendsTheSpecStreamsProgressAndPrintsOneSummary() {
    String out = tmp.resolve("out.ivf").toString();
    fake.script.add(event(Job.State.RUNNING, "ingest", 0, 0));
    fake.script.add(event(Job.State.RUNNING, "encode", 1, 8));
    fake.script.add(succeeded(out));
    Cli.Result r = submit("--request-id", "req-7", "--cq-level", "20", "--pipeline", "independent", "-N", "8", "-w", "2");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    SubmitJobRequest req = fake.submits.get(0);
    assertThat(req.getRequestId()).isEqualTo("req-7");
    JobSpec spec = req.getSpec();
    assertThat(spec.getInputUri()).isEqualTo("demo:testsrc2,size=176x144,frames=24");
    assertThat(spec.getOutputUri()).isEqualTo(out);
    assertThat(spec.getContainer()).isEqualTo(OutputContainer.OUTPUT_CONTAINER_IVF);
    assertThat(spec.getPipeline()).isEqualTo(Pipeline.PIPELINE_INDEPENDENT);
    assertThat(spec.getFramesPerChunk()).isEqualTo(8);
    assertThat(spec.getWorkers()).isEqualTo(2);
    assertThat(spec.getSettings().getCqLevel()).isEqualTo(20);
    assertThat(fake.watches).containsExactly("jobs/j1");
    assertThat(r.err()).containsSubsequence("stage=ingest", "progress=continue", "stage=encode", "stage=done",
        "chunks_done=3", "frames_done=24", "progress=end");
    assertThat(r.err().lines().filter(l -> l.startsWith("coordinator: ")).toList())
        .containsExactly("coordinator: " + out + ": 24 frames (3 keyframes), 12.5 KiB, 128.0 kb/s, 1.50 s");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void randomRequestIdWhenNoneGiven() {
    fake.script.add(succeeded("x"));
    assertThat(submit().exitCode()).isZero();
    assertThat(submit("-y").exitCode()).isZero();
    assertThat(fake.submits.get(0).getRequestId()).isNotEmpty().isNotEqualTo(fake.submits.get(1).getRequestId());
  }

  @Test
  void quietPrintsNothingOnSuccess() {
    fake.script.add(event(Job.State.RUNNING, "encode", 1, 8));
    fake.script.add(succeeded("x"));
    Cli.Result r = submit("-q");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void chunkFailureIsExit4WithTheServersReason() {
    fake.script.add(event(Job.State.RUNNING, "encode", 1, 8));
    fake.script.add(failed(Status.Code.ABORTED, "chunk 2 failed after 3 attempts: ENCODER: libvpx error"));
    Cli.Result r = submit();
    assertThat(r.exitCode()).isEqualTo(ExitCodes.JOB_FAILED);
    assertThat(r.err()).contains("progress=end\n")
        .endsWith("coordinator: error: job jobs/j1 failed: chunk 2 failed after 3 attempts: ENCODER: libvpx error\n");
  }

  @Test
  void inputProblemFoundDuringTheJobIsExit3() {
    fake.script.add(failed(Status.Code.INVALID_ARGUMENT, "/x/in.mp4: unsupported pixel format yuv420p10le"));
    Cli.Result r = submit();
    assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(r.err()).endsWith("coordinator: error: /x/in.mp4: unsupported pixel format yuv420p10le\n");
  }

  @Test
  void inputProblemAtSubmitIsExit3() {
    fake.submitError = Status.INVALID_ARGUMENT.withDescription("/x/notes.txt: not a video");
    Cli.Result r = submit();
    assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(r.err()).isEqualTo("coordinator: error: /x/notes.txt: not a video\n");
    assertThat(fake.watches).isEmpty();
  }

  @Test
  void cancelledJobIsExit5() {
    fake.script.add(event(Job.State.RUNNING, "encode", 1, 8));
    fake.script.add(event(Job.State.CANCELLED, "encode", 1, 8));
    Cli.Result r = submit();
    assertThat(r.exitCode()).isEqualTo(ExitCodes.CANCELLED);
    assertThat(r.err()).endsWith("coordinator: error: job jobs/j1 was cancelled\n");
  }

  @Test
  void unreachableCoordinatorIsExit1() throws Exception {
    String address = fake.address();
    fake.close();
    Cli.Result r = Cli.run("submit", "demo:testsrc2", "-o", tmp.resolve("o.ivf").toString(), "--coordinator", address);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.INTERNAL);
    assertThat(r.err()).startsWith("coordinator: error: cannot reach the coordinator at " + address);
    assertThat(r.err().lines().count()).isEqualTo(1);
  }

  @Test
  void brokenWatchStreamFallsBackToPolling() {
    fake.script.add(event(Job.State.RUNNING, "encode", 1, 8));
    fake.watchError = Status.UNAVAILABLE.withDescription("stream reset");
    fake.jobs.put("jobs/j1", succeeded("x").getJob());
    Cli.Result r = submit();
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("stage=done").contains("progress=end");
  }

  @Test
  void alreadyDoneOperationNeedsNoWatch() {
    Job done = succeeded("/o.ivf").getJob();
    fake.submitAnswer = Operation.newBuilder().setName("operations/j1").setDone(true).setResponse(Any.pack(done)).build();
    Cli.Result r = submit();
    assertThat(r.exitCode()).isZero();
    assertThat(fake.watches).isEmpty();
    assertThat(r.err()).contains("/o.ivf: 24 frames");
  }

  @Test
  void watchStatusAndCancel() {
    fake.jobs.put("jobs/a1", succeeded("/out/a.ivf").getJob().toBuilder().setName("jobs/a1")
        .setSpec(JobSpec.newBuilder().setInputUri("/in/a.y4m").setOutputUri("/out/a.ivf")).build());
    fake.jobs.put("jobs/b2", event(Job.State.RUNNING, "encode", 1, 8).getJob().toBuilder().setName("jobs/b2")
        .setSpec(JobSpec.newBuilder().setOutputUri("/out/b.webm")).build());

    Cli.Result table = Cli.run("status", "--coordinator", fake.address());
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().toList()).hasSize(3);
    assertThat(table.out()).startsWith("JOB ").containsPattern("jobs/a1\\s+SUCCEEDED\\s+done\\s+3/3\\s+24/24")
        .containsPattern("jobs/b2\\s+RUNNING\\s+encode\\s+1/3\\s+8/24\\s+-\\s+/out/b.webm");

    Cli.Result one = Cli.run("status", "a1", "--coordinator", fake.address());
    assertThat(one.exitCode()).isZero();
    assertThat(one.out()).contains("job:      jobs/a1").contains("state:    SUCCEEDED").contains("input:    /in/a.y4m")
        .contains("result:   /out/a.ivf: 24 frames (3 keyframes)");

    Cli.Result missing = Cli.run("status", "zz", "--coordinator", fake.address());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(missing.err()).isEqualTo("coordinator: error: no job jobs/zz\n");

    Cli.Result cancel = Cli.run("cancel", "jobs/b2", "--coordinator", fake.address());
    assertThat(cancel.exitCode()).isZero();
    assertThat(cancel.out()).isEqualTo("jobs/b2 CANCELLED\n");
    assertThat(fake.cancels).containsExactly("jobs/b2");

    // watch ends with the job's exit code: the stream script is for j1, so use polling by GetJob.
    fake.watchError = Status.UNIMPLEMENTED;
    Cli.Result watchDone = Cli.run("watch", "a1", "--coordinator", fake.address(), "--progress", "plain");
    assertThat(watchDone.exitCode()).isZero();
    assertThat(watchDone.err()).contains("progress=end").contains("/out/a.ivf: 24 frames");
    Cli.Result watchCancelled = Cli.run("watch", "b2", "--coordinator", fake.address(), "-q");
    assertThat(watchCancelled.exitCode()).isEqualTo(ExitCodes.CANCELLED);
  }
}
