package io.tinythreads.rendezvous;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: each stream's "actor". Every
 * event that touches a stream's state (gRPC callbacks and wake-ups from the relay table) is
 * submitted here, so that state needs no locks and {@code onNext} calls on the outbound observer are
 * serialized. After a batch of tasks the runner yields the pool thread, so one busy stream cannot
 * starve the others.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 64;

  private final Executor pool;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean scheduled;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.addLast(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    schedule();
  }

  private void schedule() {
    try {
      pool.execute(this::runBatch);
    } catch (RejectedExecutionException shuttingDown) {
      synchronized (tasks) {
        tasks.clear();
        scheduled = false;
      }
    }
  }

  private void runBatch() {
    for (int i = 0; i < BATCH; i++) {
      Runnable next;
      synchronized (tasks) {
        next = tasks.pollFirst();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.error("uncaught exception in a rendezvous stream task", e);
      }
    }
    schedule(); // more remain: requeue behind other streams' work
  }
}
