package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.fsm.FsmConfig;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.SubmitJobRequest;
import io.tinythreads.proto.WatchJobRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real coordinator on loopback (embedded rendezvous, file blob store under a temp dir) and a
 * plaintext Jobs client, as the CLI uses them. Close it to stop both.
 */
final class Harness implements AutoCloseable {
  final Path dir;
  final CoordinatorServer server;
  final ManagedChannel channel;
  final JobsGrpc.JobsBlockingStub jobs;

  Harness(Path dir, LauncherKind launcher, JobHooks hooks) throws IOException {
    this(dir, launcher, hooks, FsmConfig.defaults());
  }

  Harness(Path dir, LauncherKind launcher, JobHooks hooks, FsmConfig fsm) throws IOException {
    this.dir = dir;
    CoordinatorConfig e = CoordinatorConfig.embedded(dir.resolve("work"));
    this.server = CoordinatorServer.start(new CoordinatorConfig(e.bindAddress(), 0, e.blobStoreUri(), e.workDir(), null,
        launcher, 2, null), hooks, fsm);
    this.channel = Grpc.newChannelBuilder(server.address(), InsecureChannelCredentials.create()).build();
    this.jobs = JobsGrpc.newBlockingStub(channel);
  }

  JobsGrpc.JobsBlockingStub unary() {
    return jobs.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  Operation submit(String requestId, JobSpec spec) {
    return unary().submitJob(SubmitJobRequest.newBuilder().setRequestId(requestId).setSpec(spec).build());
  }

  Job get(String name) {
    return unary().getJob(GetJobRequest.newBuilder().setName(name).build());
  }

  static String jobName(Operation op) {
    return "jobs/" + op.getName().substring("operations/".length());
  }

  /** Follows WatchJob to its terminal event; returns every event. */
  List<JobEvent> watchToEnd(String name, Duration timeout) {
    List<JobEvent> events = new ArrayList<>();
    Iterator<JobEvent> it = jobs.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .watchJob(WatchJobRequest.newBuilder().setName(name).build());
    while (it.hasNext()) {
      events.add(it.next());
    }
    return events;
  }

  /** Runs a job to its end through the API and returns the final Job. */
  Job run(JobSpec spec, Duration timeout) {
    Operation op = submit("", spec);
    List<JobEvent> events = watchToEnd(jobName(op), timeout);
    assertThat(events).isNotEmpty();
    Job last = events.getLast().getJob();
    assertThat(last.getState()).as("terminal state of %s", last.getName())
        .isIn(Job.State.SUCCEEDED, Job.State.FAILED, Job.State.CANCELLED);
    return get(last.getName());
  }

  static JobSpec.Builder demo(String input, Path out, int framesPerChunk) {
    return JobSpec.newBuilder().setInputUri(input).setOutputUri(out.toString()).setFramesPerChunk(framesPerChunk);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop();
  }

  // ------------------------------------------------------------------ external tools

  record ToolResult(int exitCode, String output) {}

  /** Runs a tool; fails the test (never skips) when it is missing, as CI installs it. */
  static ToolResult tool(String... cmd) {
    Path exe = Path.of("/usr/bin", cmd[0]);
    assertThat(Files.isExecutable(exe)).as("%s is required (apt-get install vpx-tools ffmpeg)", exe).isTrue();
    try {
      Path log = Files.createTempFile("tt-tool-", ".log");
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new ToolResult(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** vpxdec's count of decoded frames ("N decoded frames/N showed frames"), failing on any decode error. */
  static int vpxdecFrames(Path file) {
    ToolResult r = tool("vpxdec", "--summary", "--noblit", file.toString());
    assertThat(r.exitCode()).as("vpxdec on %s:\n%s", file, r.output()).isZero();
    var m = java.util.regex.Pattern.compile("(\\d+) decoded frames/(\\d+) showed frames").matcher(r.output());
    assertThat(m.find()).as("vpxdec summary in:\n%s", r.output()).isTrue();
    return Integer.parseInt(m.group(2));
  }

  /** SHA-256 of a file, hex: compare outputs without dumping their bytes into the test report. */
  static String sha256(Path file) throws IOException {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return Files.size(file) + " bytes, sha256 " + java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Files left in {@code dir} whose names contain {@code part} (temp outputs, probes). */
  static List<String> leftovers(Path dir, String part) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(part)).toList();
    }
  }
}
