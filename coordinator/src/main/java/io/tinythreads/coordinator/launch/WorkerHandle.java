package io.tinythreads.coordinator.launch;

import java.util.concurrent.CompletableFuture;

/** A launched worker, as its launcher sees it. */
public interface WorkerHandle {
  /** Stops the worker: kills its process, or interrupts its thread. Idempotent. */
  void kill();

  /** Completes with the worker's exit code when it has exited (-1 if it died of an exception). */
  CompletableFuture<Integer> exit();

  /** For logs: pid or thread name. */
  String describe();
}
