package io.tinythreads.coordinator.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C (SIGINT) or SIGTERM during submit: the JVM runs shutdown hooks, and this one cancels the
 * job through the Jobs API, cleans up (embedded server, work dir, partial output), prints one
 * line and halts with {@link ExitCodes#CANCELLED}. halt() is needed because a shutdown hook
 * cannot change the exit status otherwise (the JVM would exit with 128+signal). The hook is
 * removed when submit returns normally, so it never runs for an ordinary exit.
 */
final class CancelOnInterrupt implements AutoCloseable {
  static final Duration CANCEL_DEADLINE = Duration.ofSeconds(5);

  private final AtomicReference<String> jobName = new AtomicReference<>();
  private final AtomicBoolean fired = new AtomicBoolean();
  private final Thread hook;

  CancelOnInterrupt(Session session, ProgressPrinter printer, PrintWriter err, Runnable cleanup) {
    this.hook = new Thread(() -> {
      fired.set(true);
      printer.abort();
      String job = jobName.get();
      String what = "interrupted";
      if (job != null) {
        try {
          session.client().cancel(job, CANCEL_DEADLINE);
          what = "interrupted; cancelled " + job;
        } catch (RuntimeException e) {
          // An embedded coordinator has its own shutdown hook, which may have stopped it first;
          // stopping a coordinator cancels its running jobs, so the job is cancelled either way.
          what = session.embedded() ? "interrupted; cancelled " + job
              : "interrupted; could not cancel " + job + ": " + CoordinatorCli.oneLine(e.getMessage());
        }
      }
      try {
        session.close();
        cleanup.run();
      } finally {
        err.println(CoordinatorCli.ERROR_PREFIX + what);
        err.flush();
        Runtime.getRuntime().halt(ExitCodes.CANCELLED);
      }
    }, "coordinator-cancel-on-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  void jobStarted(String name) {
    jobName.set(name);
  }

  /** True once the hook has started: the main thread should stay silent and let it finish. */
  boolean fired() {
    return fired.get();
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running or about to
    }
  }
}
