package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.coordinator.launch.WorkerHandle;
import io.tinythreads.fsm.StageKind;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.LauncherKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lost workers are replaced and resume; chunks that keep failing fail the job with a clear reason. */
class FaultTest {
  static final String INPUT = "demo:testsrc2,size=176x144,frames=30";

  @TempDir
  Path tmp;

  @Test
  void killedWorkerProcessIsReplacedAndTheOutputIsUnchanged() throws Exception {
    Path reference = tmp.resolve("reference.ivf");
    Path disturbed = tmp.resolve("disturbed.ivf");
    try (Harness h = new Harness(tmp.resolve("ref"), LauncherKind.LAUNCHER_PROCESS, JobHooks.NONE)) {
      assertThat(h.run(EndToEndTest.independent(INPUT, reference, 10).setWorkers(2).build(), Duration.ofSeconds(120)).getState())
          .isEqualTo(Job.State.SUCCEEDED);
    }
    AtomicInteger kills = new AtomicInteger();
    JobHooks killer = new JobHooks() {
      @Override
      public void stageStarted(String jobId, int chunk, int attempt, StageKind stage, WorkerHandle handle) {
        if (chunk == 1 && attempt == 0 && stage == StageKind.ENCODE_CHUNK) {
          kills.incrementAndGet();
          handle.kill();
        }
      }
    };
    try (Harness h = new Harness(tmp.resolve("faulty"), LauncherKind.LAUNCHER_PROCESS, killer)) {
      Job job = h.run(EndToEndTest.independent(INPUT, disturbed, 10).setWorkers(2).build(), Duration.ofSeconds(120));
      assertThat(job.getState()).as("%s", job.getError()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(kills.get()).isEqualTo(1);
      assertThat(job.getProgress().getWorkerRetries()).isGreaterThanOrEqualTo(1);
    }
    assertThat(Harness.sha256(disturbed)).isEqualTo(Harness.sha256(reference));
  }

  @Test
  void chunkThatMissesEveryDeadlineFailsTheJobAfterMaxAttempts() throws Exception {
    Path out = tmp.resolve("late.ivf");
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Job job = h.run(EndToEndTest.independent(INPUT, out, 10).setWorkers(1).setStageDeadlineMillis(1).build(),
          Duration.ofSeconds(60));
      assertThat(job.getState()).isEqualTo(Job.State.FAILED);
      assertThat(job.getError().getCode()).isEqualTo(com.google.rpc.Code.DEADLINE_EXCEEDED_VALUE);
      assertThat(job.getError().getMessage()).contains("chunk 0 failed after 3 attempts").contains("deadline of 1 ms");
      assertThat(job.getProgress().getWorkerRetries()).isEqualTo(2);
      assertThat(job.getProgress().getWorkersRunning()).isZero();
    }
    assertThat(out).doesNotExist();
    assertThat(Harness.leftovers(tmp, ".tmp-")).isEmpty();
  }

  /**
   * A decoder state that does not match its own content hash is refused by the worker that reads
   * it (typed STATE_HASH, not retried) and the job fails naming the chunk: nothing is joined.
   */
  @Test
  void corruptDecoderStateFailsTheXcJobAndNothingIsJoined() throws Exception {
    Path out = tmp.resolve("xc-corrupt.ivf");
    JobHooks corrupter = new JobHooks() {
      @Override
      public void rawChunkStored(String jobId, int chunk, String key, BlobStore blobs) {
        if (chunk == 0) {
          // Before any worker runs: chunk 0's end state "is already stored", but is garbage.
          byte[] junk = "not a decoder state at all".getBytes(StandardCharsets.US_ASCII);
          blobs.put(io.tinythreads.fsm.BlobKeys.key(jobId, 0, io.tinythreads.proto.Artifact.ARTIFACT_END_STATE), junk);
        }
      }
    };
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, corrupter)) {
      Job job = h.run(Harness.demo(INPUT, out, 10).setPipeline(io.tinythreads.proto.Pipeline.PIPELINE_XC)
          .setChunksPerBatch(3).build(), Duration.ofSeconds(60));
      assertThat(job.getState()).isEqualTo(Job.State.FAILED);
      assertThat(job.getError().getCode()).isEqualTo(com.google.rpc.Code.DATA_LOSS_VALUE);
      assertThat(job.getError().getMessage()).containsPattern("chunk [01] failed: (rebase|encode-given-state): ")
          .contains("corrupt");
      assertThat(job.getProgress().getWorkerRetries()).isZero();
    }
    assertThat(out).doesNotExist();
  }

  @Test
  void corruptRawChunkFailsTheJobNamingTheChunk() throws Exception {
    Path out = tmp.resolve("corrupt.webm");
    JobHooks corrupter = new JobHooks() {
      @Override
      public void rawChunkStored(String jobId, int chunk, String key, BlobStore blobs) {
        if (chunk == 2) {
          blobs.put(key, "YUV4MPEG2 this is not a raw chunk\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
    };
    try (Harness h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, corrupter)) {
      Job job = h.run(EndToEndTest.independent(INPUT, out, 10).setMaxAttemptsPerChunk(2).build(), Duration.ofSeconds(60));
      assertThat(job.getState()).isEqualTo(Job.State.FAILED);
      assertThat(job.getError().getMessage()).contains("chunk 2 failed");
      assertThat(job.getProgress().getWorkersRunning()).isZero();
    }
    assertThat(out).doesNotExist();
    assertThat(Harness.leftovers(tmp, ".tmp-")).isEmpty();
  }
}
