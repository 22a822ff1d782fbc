package io.tinythreads.coordinator.launch;

import io.tinythreads.proto.LauncherKind;
import io.tinythreads.tls.ClientTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One JVM per worker (closest to Lambda semantics: a fresh process, nothing shared but the wire and
 * the blob store). The child runs {@code io.tinythreads.worker.WorkerMain} from this JVM's own class
 * path, so the shaded jar and a Maven test class path both work.
 */
final class ProcessLauncher implements Launcher {
  static final String MAIN = "io.tinythreads.worker.WorkerMain";
  private final ClientTls tls;

  /** Workers get {@code tls} as WorkerMain flags (file paths, not secrets: fine on a command line). */
  ProcessLauncher(ClientTls tls) {
    this.tls = tls;
  }

  @Override
  public LauncherKind kind() {
    return LauncherKind.LAUNCHER_PROCESS;
  }

  /** The child's command line. */
  /** The child's command line, dialling with {@code tls}. */
  static List<String> command(LaunchRequest r, ClientTls tls) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    // One worker per core and short lives: the serial collector starts fastest and adds no GC threads.
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.addAll(List.of(
        "--coordinator", r.coordinatorAddress(),
        "--job", r.jobId(),
        "--chunk", Integer.toString(r.chunkIndex()),
        "--token", r.token(),
        "--attempt", Integer.toString(r.attempt()),
        "--worker-id", r.workerId(),
        "--scratch", r.scratchRoot().toString()));
    cmd.addAll(tls.toArgs());
    return cmd;
  }

  @Override
  public WorkerHandle launch(LaunchRequest r) {
    try {
      Files.createDirectories(r.logFile().getParent());
      Files.createDirectories(r.scratchRoot());
      ProcessBuilder pb = new ProcessBuilder(command(r, tls))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(r.logFile().toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      // The token travels as a flag here (local machine only); remote launchers use the payload/env.
      Process p = pb.start();
      CompletableFuture<Integer> exit = p.onExit().thenApply(Process::exitValue);
      return new WorkerHandle() {
        @Override
        public void kill() {
          p.destroyForcibly();
        }

        @Override
        public CompletableFuture<Integer> exit() {
          return exit;
        }

        @Override
        public String describe() {
          return "pid " + p.pid() + " (log " + r.logFile() + ")";
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start worker process for chunk " + r.chunkIndex() + ": " + e.getMessage(), e);
    }
  }
}
