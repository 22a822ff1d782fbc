package io.tinythreads.coordinator.job;

import io.tinythreads.proto.WorkerMessage;

/** Where a session stream delivers what its worker says after the Hello. Thread-safe, non-blocking. */
public interface SessionSink {
  void message(WorkerMessage message);

  /** The stream ended (the worker closed it, it broke, or it was cancelled). */
  void closed(String reason);
}
