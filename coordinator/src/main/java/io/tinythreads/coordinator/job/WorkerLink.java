package io.tinythreads.coordinator.job;

import io.tinythreads.proto.Command;

/** The coordinator's end of one worker's session stream, as the job core sees it. Thread-safe. */
public interface WorkerLink {
  void send(Command command);

  /** Ends the stream: normally ({@code ok}) after Quit, else with an error carrying {@code reason}. Idempotent. */
  void close(boolean ok, String reason);
}
