package io.tinythreads.worker;

import static io.tinythreads.worker.FakeCoordinator.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.media.ExternalTools;
import io.tinythreads.media.TestChunks;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.EncodeSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerMainTest {
  @TempDir Path tmp;

  @Test
  void flagsWinOverEnvironment() {
    WorkerConfig c = WorkerMain.parse(new String[] {"--coordinator", "10.0.0.1:7000", "--chunk=5", "--attempt", "2",
        "--worker-id", "w9", "--scratch", "/var/tmp/x"},
        Map.of("TT_COORDINATOR", "h:1", "TT_JOB", "job-7", "TT_CHUNK", "3", "TT_TOKEN", "secret"));
    assertThat(c.coordinator()).isEqualTo("10.0.0.1:7000");
    assertThat(c.jobId()).isEqualTo("job-7");
    assertThat(c.chunkIndex()).isEqualTo(5);
    assertThat(c.token()).isEqualTo("secret");
    assertThat(c.attempt()).isEqualTo(2);
    assertThat(c.workerId()).isEqualTo("w9");
    assertThat(c.runtime()).isEqualTo("process");
    assertThat(c.scratchRoot()).isEqualTo(Path.of("/var/tmp/x"));
    assertThat(c.toString()).doesNotContain("secret");
  }

  @Test
  void kubernetesIndexedJobGivesTheChunk() {
    WorkerConfig c = WorkerMain.parse(new String[0],
        Map.of("TT_COORDINATOR", "coord:7000", "TT_JOB", "j", "JOB_COMPLETION_INDEX", "11", "TT_TOKEN", "t"));
    assertThat(c.chunkIndex()).isEqualTo(11);
    assertThat(c.runtime()).isEqualTo("kubernetes");
    assertThat(c.attempt()).isZero();
    assertThat(c.workerId()).startsWith("w-j-11-0-");
  }

  @Test
  void usageErrorsExitWithTwo() {
    for (String[] args : List.of(new String[] {"--job", "j", "--chunk", "1", "--coordinator", "h:1"},
        new String[] {"--job", "j", "--chunk", "x", "--coordinator", "h:1", "--token", "t"},
        new String[] {"--job", "j", "--chunk", "1", "--coordinator", "nohostport", "--token", "t"},
        new String[] {"--bogus", "1"}, new String[] {"--chunk"})) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = WorkerMain.run(args, Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).as(String.join(" ", args)).isEqualTo(Worker.EXIT_USAGE);
      assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("worker: ");
    }
    assertThatThrownBy(() -> WorkerMain.parse(new String[] {"--chunk", "1"}, Map.of()))
        .hasMessageContaining("missing --coordinator");
  }

  /** WorkerMain as a real child JVM against a loopback coordinator: the process launcher's path. */
  @Test
  void separateProcessEncodesAChunkAndExitsZero() throws Exception {
    String demo = "demo:testsrc2,size=128x72,frames=12";
    Path blobs = tmp.resolve("blobs");
    BlobStore store = BlobStore.open(blobs.toString());
    store.putFile("raw/c0.y4m", TestChunks.write(tmp.resolve("c0.y4m"), demo, 0, 12));
    WorkerTest.video = TestChunks.info(demo);
    var assign = WorkerTest.assign(blobs, EncodeSettings.getDefaultInstance());
    assign.getAssignBuilder().getChunkBuilder().setIndex(0).setFirstFrame(0).setFrameCount(12);
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    try (FakeCoordinator c = new FakeCoordinator(List.of(send(assign),
        send(WorkerTest.fetch(Artifact.ARTIFACT_RAW_CHUNK, "raw/c0.y4m")),
        send(WorkerTest.encode()),
        send(WorkerTest.upload(Artifact.ARTIFACT_OUTPUT_CHUNK, "out/c0.ivf")),
        send(WorkerTest.quit())))) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
          WorkerMain.class.getName(), "--coordinator", c.address(), "--chunk", "0", "--scratch", scratch.toString()));
      Path log = tmp.resolve("worker.log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("TT_JOB", "jp");
      pb.environment().put("TT_TOKEN", "tok");
      pb.environment().put("TT_ATTEMPT", "3");
      Process p = pb.start();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      String out = Files.readString(log);
      assertThat(done).as("worker process finished; log:\n%s", out).isTrue();
      assertThat(p.exitValue()).as("exit code; log:\n%s", out).isZero();
      assertThat(c.hellos).hasSize(1);
      assertThat(c.hellos.get(0).getJobId()).isEqualTo("jp");
      assertThat(c.hellos.get(0).getAttempt()).isEqualTo(3);
      assertThat(c.hellos.get(0).getRuntime()).isEqualTo("process");
      assertThat(c.results).hasSize(5).allSatisfy(r -> assertThat(r.hasOk()).as("%s", r).isTrue());
      assertThat(ExternalTools.vpxdecSummary(blobs.resolve("out/c0.ivf"))).containsExactly(12, 12);
      try (var s = Files.list(scratch)) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }

  @Test
  void separateProcessExitsNonZeroWhenTheCoordinatorIsGone() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
        "--coordinator", "127.0.0.1:" + port, "--job", "j", "--chunk", "0", "--token", "t", "--scratch", tmp.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("gone.log").toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(Worker.EXIT_FAILED);
  }
}
