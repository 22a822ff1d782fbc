package io.tinythreads.coordinator.launch;

import io.tinythreads.proto.LauncherKind;
import io.tinythreads.tls.ClientTls;
import io.tinythreads.worker.Worker;
import io.tinythreads.worker.WorkerConfig;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each worker on its own thread in the coordinator's JVM. The worker still talks to the
 * coordinator over loopback gRPC, exactly as a process or a Lambda would; only start-up is cheaper.
 * A thread cannot be killed: {@link WorkerHandle#kill()} interrupts it, and the coordinator closing
 * the worker's stream makes the worker give up at its next message.
 *
 * <p>Workers in threads give the same bytes as workers in processes: the one source of difference
 * found (libvpx 1.15.2 reading past its above-context row when tune=ssim, so the output depended on
 * what the native heap held before) is neutralised in {@code LibvpxEncoder.AboveContextGuard}.
 */
final class ThreadLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(ThreadLauncher.class);
  private final ClientTls tls;

  ThreadLauncher(ClientTls tls) {
    this.tls = tls;
  }

  @Override
  public LauncherKind kind() {
    return LauncherKind.LAUNCHER_THREAD;
  }

  @Override
  public WorkerHandle launch(LaunchRequest r) {
    WorkerConfig cfg = new WorkerConfig(r.coordinatorAddress(), r.jobId(), r.chunkIndex(), r.token(), r.attempt(),
        r.workerId(), "thread", r.scratchRoot(), tls);
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        exit.complete(Worker.run(cfg));
      } catch (Throwable e) {
        log.warn("worker {} died: {}", r.workerId(), e.toString());
        exit.complete(-1);
      }
    }, "worker-" + r.workerId());
    t.setDaemon(true);
    t.start();
    return new WorkerHandle() {
      @Override
      public void kill() {
        t.interrupt();
      }

      @Override
      public CompletableFuture<Integer> exit() {
        return exit;
      }

      @Override
      public String describe() {
        return "thread " + t.getName();
      }
    };
  }
}
