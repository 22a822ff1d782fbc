package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobProgress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during submit cancels the job through the API and exits 5. Signals need a real process:
 * the CLI runs in a child JVM (same classpath) against a fake coordinator whose WatchJob never
 * ends, and gets SIGTERM (Process.destroy), which runs the same shutdown hook as SIGINT.
 */
class InterruptTest {
  @TempDir
  Path tmp;

  @Test
  void signalDuringSubmitCancelsTheJobAndExits5() throws Exception {
    try (FakeJobs fake = new FakeJobs()) {
      fake.holdWatch = true;
      fake.script.add(JobEvent.newBuilder().setJob(Job.newBuilder().setName("jobs/j1").setState(Job.State.RUNNING)
          .setProgress(JobProgress.newBuilder().setStage("encode").setChunksTotal(3))).build());
      Path stderr = tmp.resolve("stderr.txt");
      Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CoordinatorCli.class.getName(), "submit",
          "demo:testsrc2", "-o", tmp.resolve("o.ivf").toString(), "--coordinator", fake.address(), "--progress", "plain"))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(stderr.toFile())
          .start();
      try {
        String watched = fake.watchStarted.poll(60, TimeUnit.SECONDS);
        assertThat(watched).as("child started watching; stderr: %s", read(stderr)).isEqualTo("jobs/j1");
        // The watch starts before the child has printed the event it receives; on a loaded machine a
        // signal sent right away can beat the print. Wait for the progress block first.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read(stderr).contains("stage=encode") && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read(stderr)).isEqualTo(ExitCodes.CANCELLED);
        assertThat(fake.cancels).containsExactly("jobs/j1");
        assertThat(read(stderr)).contains("stage=encode").endsWith("coordinator: error: interrupted; cancelled jobs/j1\n");
      } finally {
        p.destroyForcibly();
      }
    }
  }

  private static String read(Path p) throws Exception {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
