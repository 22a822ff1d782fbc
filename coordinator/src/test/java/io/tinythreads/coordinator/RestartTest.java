package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.coordinator.launch.WorkerHandle;
import io.tinythreads.fsm.BlobKeys;
import io.tinythreads.fsm.FsmConfig;
import io.tinythreads.fsm.StageKind;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.SubmitJobRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jobs survive a restart of a journaling coordinator (coordinator serve): a new server on the same
 * work dir and blob store knows the ended jobs and resumes the interrupted ones.
 */
class RestartTest {
  static final String INPUT = "demo:testsrc2,size=176x144,frames=40";

  @TempDir
  Path tmp;

  /** A journaling coordinator on loopback with thread workers, one per job by default. */
  static final class Node implements AutoCloseable {
    final CoordinatorServer server;
    final ManagedChannel channel;
    final JobsGrpc.JobsBlockingStub jobs;
    final OperationsGrpc.OperationsBlockingStub ops;

    Node(Path dir, JobHooks hooks) throws Exception {
      CoordinatorConfig e = CoordinatorConfig.embedded(dir.resolve("work"));
      server = CoordinatorServer.start(new CoordinatorConfig("127.0.0.1", 0, e.blobStoreUri(), e.workDir(), null,
          LauncherKind.LAUNCHER_THREAD, 1, null, null, null, true), hooks, FsmConfig.defaults());
      channel = Grpc.newChannelBuilder(server.address(), InsecureChannelCredentials.create()).build();
      jobs = JobsGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
      ops = OperationsGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    Operation submit(String requestId, JobSpec spec) {
      return jobs.submitJob(SubmitJobRequest.newBuilder().setRequestId(requestId).setSpec(spec).build());
    }

    Job get(String name) {
      return jobs.getJob(GetJobRequest.newBuilder().setName(name).build());
    }

    List<Job> list() {
      return jobs.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList();
    }

    Job awaitEnd(String name, Duration timeout) throws InterruptedException {
      long until = System.nanoTime() + timeout.toNanos();
      Job j = get(name);
      while (!ended(j) && System.nanoTime() < until) {
        Thread.sleep(50);
        j = get(name);
      }
      assertThat(ended(j)).as("%s ended within %s: %s", name, timeout, j.getState()).isTrue();
      return j;
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.stop();
    }
  }

  static boolean ended(Job j) {
    return j.getState() == Job.State.SUCCEEDED || j.getState() == Job.State.FAILED
        || j.getState() == Job.State.CANCELLED;
  }

  static JobSpec spec(String input, Path out) {
    return spec(input, out, Pipeline.PIPELINE_INDEPENDENT);
  }

  static JobSpec spec(String input, Path out, Pipeline pipeline) {
    return Harness.demo(input, out, 10).setPipeline(pipeline).setWorkers(1).build();
  }

  @Test
  void endedJobsAreKnownAfterARestartInTheirOrderAndRequestIdsStillMatch() throws Exception {
    Path out1 = tmp.resolve("one.ivf");
    Path out2 = tmp.resolve("two.ivf");
    Job first;
    Job second;
    String opName;
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      Operation op = n.submit("req-1", spec(INPUT, out1));
      opName = op.getName();
      first = n.awaitEnd(Harness.jobName(op), Duration.ofSeconds(60));
      second = n.awaitEnd(Harness.jobName(n.submit("", spec(INPUT, out2))), Duration.ofSeconds(60));
      assertThat(first.getState()).as("%s", first.getError()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(second.getState()).isEqualTo(Job.State.SUCCEEDED);
    }
    Path journal = tmp.resolve("work/jobs");
    assertThat(journal.resolve(first.getName().substring(5) + ".job")).exists();

    try (Node n = new Node(tmp, JobHooks.NONE)) {
      assertThat(n.get(first.getName())).isEqualTo(first);
      assertThat(n.list()).containsExactly(first, second);
      Operation again = n.submit("req-1", spec(INPUT, tmp.resolve("elsewhere.ivf")));
      assertThat(again.getName()).as("same request_id, same operation").isEqualTo(opName);
      assertThat(again.getDone()).isTrue();
      Operation got = n.ops.getOperation(GetOperationRequest.newBuilder().setName(opName).build());
      assertThat(got.getDone()).isTrue();
      assertThat(got.getResponse().unpack(Job.class)).isEqualTo(first);
      assertThat(tmp.resolve("elsewhere.ivf")).doesNotExist();

      // DeleteOperation forgets the job for good: its journal file goes too.
      n.ops.deleteOperation(DeleteOperationRequest.newBuilder().setName(opName).build());
      assertThat(journal.resolve(first.getName().substring(5) + ".job")).doesNotExist();
    }
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      assertThat(n.list()).containsExactly(second);
    }
  }

  /**
   * The coordinator stops while chunk 2 of 4 encodes (one worker at a time, so chunks 0 and 1
   * are done and their outputs stored; in xc chunk 1 has rebased onto chunk 0's final state). The
   * next coordinator resumes the job under its id; the chunks whose outputs are stored are not
   * encoded again, and the output has the bytes of an undisturbed run.
   */
  @ParameterizedTest
  @EnumSource(value = Pipeline.class, names = {"PIPELINE_INDEPENDENT", "PIPELINE_XC"})
  void interruptedJobResumesAfterARestartWithTheSameBytesAndFewerEncodes(Pipeline pipeline) throws Exception {
    Path reference = tmp.resolve("reference.ivf");
    AtomicInteger referenceEncodes = new AtomicInteger();
    try (Node n = new Node(tmp.resolve("ref"), encodes(referenceEncodes))) {
      Job j = n.awaitEnd(Harness.jobName(n.submit("", spec(INPUT, reference, pipeline))), Duration.ofSeconds(60));
      assertThat(j.getState()).as("%s", j.getError()).isEqualTo(Job.State.SUCCEEDED);
    }
    assertThat(referenceEncodes.get()).isEqualTo(4);

    Path out = tmp.resolve("resumed.ivf");
    AtomicBoolean stopRequested = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger firstEncodes = new AtomicInteger();
    Node[] holder = new Node[1];
    JobHooks stopAtChunk2 = new JobHooks() {
      @Override
      public void stageStarted(String jobId, int chunk, int attempt, StageKind stage, WorkerHandle handle) {
        if (stage == StageKind.ENCODE_CHUNK) {
          firstEncodes.incrementAndGet();
          if (chunk == 2 && stopRequested.compareAndSet(false, true)) {
            // Not on the job's actor thread: stopping waits for it.
            Thread t = new Thread(() -> {
              holder[0].close();
              stopped.countDown();
            });
            t.start();
          }
        }
      }
    };
    String name;
    Job before;
    holder[0] = new Node(tmp.resolve("d"), stopAtChunk2);
    try {
      Operation op = holder[0].submit("resume-me", spec(INPUT, out, pipeline));
      name = Harness.jobName(op);
      assertThat(stopped.await(60, TimeUnit.SECONDS)).as("coordinator stopped at chunk 2").isTrue();
    } finally {
      holder[0].close();
    }
    assertThat(firstEncodes.get()).isEqualTo(3);
    assertThat(out).doesNotExist();
    String id = name.substring("jobs/".length());
    BlobStore blobs = BlobStore.open(tmp.resolve("d/work/blobs").toUri().toString());
    int storedOutputs = 0;
    for (int i = 0; i < 4; i++) {
      if (blobs.exists(BlobKeys.key(id, i, Artifact.ARTIFACT_OUTPUT_CHUNK))) {
        storedOutputs++;
      }
    }
    assertThat(storedOutputs).as("chunks 0 and 1 ended before chunk 2 started").isGreaterThanOrEqualTo(2);

    AtomicInteger secondEncodes = new AtomicInteger();
    try (Node n = new Node(tmp.resolve("d"), encodes(secondEncodes))) {
      Job j = n.awaitEnd(name, Duration.ofSeconds(60));
      assertThat(j.getState()).as("%s", j.getError()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(j.getName()).isEqualTo(name);
      assertThat(n.submit("resume-me", spec(INPUT, out, pipeline)).getName()).isEqualTo("operations/" + id);
      assertThat(n.list()).hasSize(1);
    }
    // Only the chunks without a stored output are encoded again (at most chunks 2 and 3).
    assertThat(secondEncodes.get()).isBetween(1, 4 - storedOutputs);
    assertThat(Harness.sha256(out)).isEqualTo(Harness.sha256(reference));
    assertThat(blobs.exists(BlobKeys.key(id, 0, Artifact.ARTIFACT_OUTPUT_CHUNK)))
        .as("intermediates deleted once the resumed job succeeded").isFalse();
  }

  /** An interrupted job whose input is gone fails after the restart, naming the input. */
  @Test
  void interruptedJobWhoseInputIsGoneFailsNamingIt() throws Exception {
    Path input = tmp.resolve("input.y4m");
    Harness.ToolResult r = Harness.tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=25",
        "-frames:v", "30", "-pix_fmt", "yuv420p", input.toString());
    assertThat(r.exitCode()).as(r.output()).isZero();
    CountDownLatch release = new CountDownLatch(1);
    JobHooks holdIngest = new JobHooks() {
      @Override
      public void rawChunkStored(String jobId, int chunk, String key, BlobStore blobs) {
        if (chunk == 1) {
          try {
            // The ingest thread waits here, so the job cannot end before the coordinator stops.
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    String name;
    Node n1 = new Node(tmp, holdIngest);
    try {
      name = Harness.jobName(n1.submit("", spec(input.toString(), tmp.resolve("gone.ivf"))));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (n1.get(name).getProgress().getChunksTotal() < 1 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
    } finally {
      n1.close();
      release.countDown();
    }
    Files.delete(input);
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      Job j = n.get(name);
      assertThat(j.getState()).isEqualTo(Job.State.FAILED);
      assertThat(j.getError().getMessage()).contains("coordinator restarted").contains(input.toString());
    }
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      assertThat(n.get(name).getState()).as("the failure is journaled").isEqualTo(Job.State.FAILED);
    }
  }

  @Test
  void corruptJournalFileIsMovedAsideAndTheServerStarts() throws Exception {
    Path out = tmp.resolve("ok.ivf");
    Job ok;
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      ok = n.awaitEnd(Harness.jobName(n.submit("", spec(INPUT, out))), Duration.ofSeconds(60));
    }
    Path dir = tmp.resolve("work/jobs");
    Path good = dir.resolve(ok.getName().substring(5) + ".job");
    byte[] bytes = Files.readAllBytes(good);
    Files.write(dir.resolve("jgarbage.job"), "not a job".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("jtruncated.job"), java.util.Arrays.copyOf(bytes, bytes.length - 3));
    byte[] flipped = bytes.clone();
    flipped[flipped.length - 1] ^= 1;
    Files.write(dir.resolve("jflipped.job"), flipped);
    try (Node n = new Node(tmp, JobHooks.NONE)) {
      assertThat(n.list()).containsExactly(ok);
    }
    for (String bad : List.of("jgarbage", "jtruncated", "jflipped")) {
      assertThat(dir.resolve(bad + ".job")).doesNotExist();
      assertThat(dir.resolve(bad + ".job.corrupt")).exists();
    }
    assertThat(good).exists();
  }

  static JobHooks encodes(AtomicInteger count) {
    return new JobHooks() {
      @Override
      public void stageStarted(String jobId, int chunk, int attempt, StageKind stage, WorkerHandle handle) {
        if (stage == StageKind.ENCODE_CHUNK) {
          count.incrementAndGet();
        }
      }
    };
  }
}
