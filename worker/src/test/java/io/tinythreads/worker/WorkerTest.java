package io.tinythreads.worker;

import static io.tinythreads.worker.FakeCoordinator.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.media.EncodedChunk;
import io.tinythreads.media.ExternalTools;
import io.tinythreads.media.LibvpxEncoder;
import io.tinythreads.media.TestChunks;
import io.tinythreads.media.Vp8ChunkEncoder;
import io.tinythreads.media.Vp8Frames;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Assign;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandResult;
import io.tinythreads.proto.DumpState;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.EncodeGivenState;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.Quit;
import io.tinythreads.proto.Rebase;
import io.tinythreads.proto.Upload;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTest {
  static final String DEMO = "demo:testsrc2,size=160x96,frames=36";
  static final String RAW_KEY = "jobs/j1/chunks/000002/raw.y4m";
  @TempDir static Path shared;
  static Path rawChunk;
  static VideoInfo video;

  @TempDir Path tmp;
  Path blobs;
  Path scratchRoot;

  @BeforeAll
  static void makeRawChunk() {
    video = TestChunks.info(DEMO);
    rawChunk = TestChunks.write(shared.resolve("raw.y4m"), DEMO, 24, 12);
  }

  @BeforeEach
  void store() throws Exception {
    blobs = tmp.resolve("blobs");
    scratchRoot = tmp.resolve("scratch");
    Files.createDirectories(scratchRoot);
    BlobStore.open(blobs.toString()).putFile(RAW_KEY, rawChunk);
  }

  static Command.Builder assign(Path blobs, EncodeSettings s) {
    return Command.newBuilder().setAssign(Assign.newBuilder()
        .setVideo(video)
        .setChunk(ChunkSpec.newBuilder().setIndex(2).setFirstFrame(24).setFrameCount(12).setBatch(2))
        .setSettings(s)
        .setBlobStoreUri(blobs.toUri().toString())
        .setPipeline(Pipeline.PIPELINE_INDEPENDENT));
  }

  static Command.Builder fetch(Artifact a, String key) {
    return Command.newBuilder().setFetch(Fetch.newBuilder().setArtifact(a).setKey(key));
  }

  static Command.Builder upload(Artifact a, String key) {
    return Command.newBuilder().setUpload(Upload.newBuilder().setArtifact(a).setKey(key));
  }

  static Command.Builder encode() {
    return Command.newBuilder().setEncodeChunk(EncodeChunk.getDefaultInstance());
  }

  static Command.Builder quit() {
    return Command.newBuilder().setQuit(Quit.getDefaultInstance());
  }

  WorkerConfig config(FakeCoordinator c) {
    return new WorkerConfig(c.address(), "j1", 2, "tok-123", 1, "worker-a", "thread", scratchRoot);
  }

  private void assertScratchCleaned() throws Exception {
    try (Stream<Path> s = Files.list(scratchRoot)) {
      assertThat(s.toList()).as("scratch directories left behind").isEmpty();
    }
  }

  @Test
  void independentPipelineEncodesAndUploadsTheChunk() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, RAW_KEY)),
        send(encode()),
        send(upload(Artifact.ARTIFACT_ENCODED_CHUNK, "jobs/j1/chunks/000002/encoded.ivf")),
        send(upload(Artifact.ARTIFACT_OUTPUT_CHUNK, "jobs/j1/chunks/000002/output.ivf")),
        send(quit())))) {
      int code = Worker.run(config(c));
      assertThat(code).isEqualTo(Worker.EXIT_OK);
      assertThat(c.streamEnd.get(5, java.util.concurrent.TimeUnit.SECONDS).isOk()).isTrue();

      assertThat(c.hellos).hasSize(1);
      var h = c.hellos.get(0);
      assertThat(h.getJobId()).isEqualTo("j1");
      assertThat(h.getChunkIndex()).isEqualTo(2);
      assertThat(h.getToken()).isEqualTo("tok-123");
      assertThat(h.getWorkerId()).isEqualTo("worker-a");
      assertThat(h.getAttempt()).isEqualTo(1);
      assertThat(h.getRuntime()).isEqualTo("thread");

      assertThat(c.results).hasSize(6);
      for (int i = 0; i < 6; i++) {
        CommandResult r = c.results.get(i);
        assertThat(r.getCommandId()).isEqualTo(c.sent.get(i).getCommandId());
        assertThat(r.hasOk()).as("result %d: %s", i, r).isTrue();
        assertThat(r.getStartedUnixMicros()).isPositive().isLessThanOrEqualTo(r.getFinishedUnixMicros());
      }
      assertThat(c.results.get(1).getOk().getBytes()).isEqualTo(Files.size(rawChunk));
      assertThat(c.results.get(2).getOk().getFrames()).isEqualTo(12);

      Path out = blobs.resolve("jobs/j1/chunks/000002/output.ivf");
      Path enc = blobs.resolve("jobs/j1/chunks/000002/encoded.ivf");
      assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(enc));
      assertThat(c.results.get(4).getOk().getBytes()).isEqualTo(Files.size(out));
      assertThat(ExternalTools.vpxdecSummary(out)).containsExactly(12, 12);
      List<IvfFrame> frames = IvfReader.readAll(out);
      for (int i = 0; i < 12; i++) {
        assertThat(frames.get(i).pts()).isEqualTo(24 + i);
        assertThat(Vp8Frames.isKeyframe(frames.get(i).data())).isEqualTo(i == 0);
      }
      // the worker's chunk is what the encoder makes of the raw chunk directly (deterministic)
      Path direct = tmp.resolve("direct.ivf");
      new LibvpxEncoder().encode(rawChunk, EncodeSettings.getDefaultInstance(), direct);
      assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(direct));
      assertScratchCleaned();
    }
  }

  @Test
  void coordinatorMayEndTheStreamRightAfterQuit() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(quit())))) {
      c.completeRightAfterQuit = true;
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_OK);
      assertScratchCleaned();
    }
  }

  @Test
  void xcCommandsWithoutTheirInputsFailAndTheWorkerCarriesOn() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(Command.newBuilder().setDumpState(DumpState.getDefaultInstance())),
        send(Command.newBuilder().setEncodeGivenState(EncodeGivenState.newBuilder().setPredecessorEndStateKey("k"))),
        send(Command.newBuilder().setRebase(Rebase.newBuilder().setReceiveFromRendezvous(true)
            .setFinalStateKey("jobs/j1/chunks/000002/final.state").setPredecessorFinalStateKey("p"))),
        send(quit())))) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_OK);
      assertThat(c.results).hasSize(5);
      String[] missing = {"DumpState needs the local ARTIFACT_ENCODED_CHUNK",
          "EncodeGivenState needs the local ARTIFACT_RAW_CHUNK",
          "Rebase needs the local ARTIFACT_ENCODED_CHUNK" // position 0: a batch head keeps its libvpx chunk
      };
      for (int i = 0; i < 3; i++) {
        assertFailure(c.results.get(i + 1), "PRECONDITION", "chunk 2: " + missing[i]);
        assertThat(c.results.get(i + 1).getFailure().getRetryable()).isFalse();
      }
      assertThat(c.results.get(4).hasOk()).isTrue();
    }
  }

  @Test
  void badInputsAreTypedFailures() throws Exception {
    BlobStore store = BlobStore.open(blobs.toString());
    byte[] raw = Files.readAllBytes(rawChunk);
    store.put("bad/truncated.y4m", java.util.Arrays.copyOf(raw, raw.length - 5000));
    // a raw chunk for other global frames
    store.putFile("bad/other.y4m", TestChunks.write(tmp.resolve("other.y4m"), DEMO, 0, 12));
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(encode()), // before Assign
        send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(encode()), // before Fetch
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, "no/such/key")),
        send(upload(Artifact.ARTIFACT_FINAL_STATE, "x/final")),
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, "bad/other.y4m")),
        send(encode()),
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, "bad/truncated.y4m")),
        send(encode()),
        send(fetch(Artifact.ARTIFACT_UNSPECIFIED, RAW_KEY)),
        send(quit())))) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_OK);
      List<CommandResult> r = c.results;
      assertThat(r).hasSize(11);
      assertFailure(r.get(0), "PRECONDITION", "EncodeChunk before Assign");
      assertThat(r.get(1).hasOk()).isTrue();
      assertFailure(r.get(2), "PRECONDITION", "chunk 2: EncodeChunk before the raw chunk was fetched");
      assertFailure(r.get(3), "NOT_FOUND", "no object 'no/such/key'");
      assertFailure(r.get(4), "PRECONDITION", "Upload of ARTIFACT_FINAL_STATE");
      assertThat(r.get(5).hasOk()).isTrue();
      assertFailure(r.get(6), "INVALID_INPUT", "raw chunk starts at global frame 0, expected 24");
      assertThat(r.get(7).hasOk()).isTrue();
      assertFailure(r.get(8), "INVALID_INPUT", "frame 11");
      assertThat(r.get(8).getFailure().getMessage()).startsWith("chunk 2 (raw-chunk.y4m)");
      assertFailure(r.get(9), "INVALID_ARGUMENT", "ARTIFACT_UNSPECIFIED");
    }
  }

  @Test
  void badSettingsFailAtAssign() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(assign(blobs, EncodeSettings.newBuilder().setCqLevel(99).build())), send(quit())))) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_OK);
      assertFailure(c.results.get(0), "INVALID_ARGUMENT", "cq_level 99 out of range (0..63)");
    }
  }

  private static void assertFailure(CommandResult r, String code, String messagePart) {
    assertThat(r.hasFailure()).as("expected failure %s, got %s", code, r).isTrue();
    assertThat(r.getFailure().getCode()).isEqualTo(code);
    assertThat(r.getFailure().getMessage()).contains(messagePart).doesNotContain("\n");
  }

  /** Real encode, slowed down so that heartbeats and mid-command stream failures can be observed. */
  static final class SlowEncoder implements Vp8ChunkEncoder {
    final long perFrameMillis;
    final AtomicBoolean interrupted = new AtomicBoolean();

    SlowEncoder(long perFrameMillis) {
      this.perFrameMillis = perFrameMillis;
    }

    @Override
    public EncodedChunk encode(Path raw, EncodeSettings s, Path out) {
      return encode(raw, s, out, Progress.NONE);
    }

    @Override
    public EncodedChunk encode(Path raw, EncodeSettings s, Path out, Progress p) {
      return new LibvpxEncoder().encode(raw, s, out, f -> {
        p.update(f);
        try {
          Thread.sleep(perFrameMillis);
        } catch (InterruptedException e) {
          interrupted.set(true);
          throw new CancellationException("interrupted");
        }
      });
    }
  }

  @Test
  void heartbeatsFlowWhileACommandRuns() throws Exception {
    SlowEncoder slow = new SlowEncoder(110); // 24 progress steps (2 passes x 12 frames) ~ 2.6 s
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, RAW_KEY)),
        send(encode()),
        send(quit())))) {
      assertThat(Worker.run(config(c), InsecureChannelCredentials.create(), slow)).isEqualTo(Worker.EXIT_OK);
      long encodeId = c.sent.get(2).getCommandId();
      assertThat(c.heartbeats).hasSizeGreaterThanOrEqualTo(2);
      assertThat(c.heartbeats).allSatisfy(hb -> {
        assertThat(hb.getCommandId()).isEqualTo(encodeId);
        assertThat(hb.getStage()).isEqualTo("EncodeChunk");
      });
      assertThat(c.heartbeats.get(c.heartbeats.size() - 1).getFractionDone())
          .isGreaterThan(c.heartbeats.get(0).getFractionDone());
      assertThat(c.results.get(2).hasOk()).isTrue();
    }
  }

  @Test
  void streamFailureDuringACommandStopsTheWorkerPromptly() throws Exception {
    SlowEncoder slow = new SlowEncoder(1000); // would take ~24 s
    try (FakeCoordinator c = new FakeCoordinator(List.of(
        send(assign(blobs, EncodeSettings.getDefaultInstance())),
        send(fetch(Artifact.ARTIFACT_RAW_CHUNK, RAW_KEY)),
        new FakeCoordinator.Both(send(encode()),
            new FakeCoordinator.Later(500, new FakeCoordinator.Fail(Status.UNAVAILABLE.withDescription("gone"))))))) {
      // The stream fails 0.5 s after EncodeChunk was sent, while it runs.
      long t0 = System.nanoTime();
      int code = Worker.run(config(c), InsecureChannelCredentials.create(), slow);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(code).isEqualTo(Worker.EXIT_FAILED);
      assertThat(took).isLessThan(Duration.ofSeconds(6));
      assertThat(slow.interrupted).isTrue();
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag leaked to the caller").isFalse();
      assertScratchCleaned();
    }
  }

  @Test
  void streamEndWithoutQuitIsAFailure() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(send(assign(blobs, EncodeSettings.getDefaultInstance())),
        new FakeCoordinator.Complete()))) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_FAILED);
    }
    try (FakeCoordinator c = new FakeCoordinator(List.of(new FakeCoordinator.Fail(Status.INTERNAL)))) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_FAILED);
    }
    assertScratchCleaned();
  }

  @Test
  void rejectedHelloIsAFailure() throws Exception {
    try (FakeCoordinator c = new FakeCoordinator(List.of(send(quit())), h -> {
      if (!h.getToken().equals("right")) {
        throw Status.UNAUTHENTICATED.withDescription("bad token").asRuntimeException();
      }
    })) {
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_FAILED);
      assertThat(c.hellos).hasSize(1);
    }
  }

  @Test
  void unreachableCoordinatorFailsFast() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    int code = Worker.run(new WorkerConfig("127.0.0.1:" + port, "j1", 0, "t", 0, null, null, scratchRoot));
    assertThat(code).isEqualTo(Worker.EXIT_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertScratchCleaned();
  }

  @Test
  void silentCoordinatorHitsTheIdleTimeout() throws Exception {
    String old = System.getProperty("tinythreads.worker.idleTimeoutSeconds");
    System.setProperty("tinythreads.worker.idleTimeoutSeconds", "1");
    try (FakeCoordinator c = new FakeCoordinator(List.of(new FakeCoordinator.Silence()))) {
      long t0 = System.nanoTime();
      assertThat(Worker.run(config(c))).isEqualTo(Worker.EXIT_FAILED);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(c.streamEnd.get(5, java.util.concurrent.TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    } finally {
      if (old == null) {
        System.clearProperty("tinythreads.worker.idleTimeoutSeconds");
      } else {
        System.setProperty("tinythreads.worker.idleTimeoutSeconds", old);
      }
    }
  }
}
