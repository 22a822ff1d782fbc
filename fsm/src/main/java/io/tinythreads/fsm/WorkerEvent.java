package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;

/** Everything that can happen to a worker, each stamped with a monotonic time in milliseconds. */
public sealed interface WorkerEvent
    permits WorkerEvent.Hello,
        WorkerEvent.Result,
        WorkerEvent.Heartbeat,
        WorkerEvent.Disconnected,
        WorkerEvent.Tick,
        WorkerEvent.Cancel,
        WorkerEvent.PeerStored,
        WorkerEvent.PeerStatus {

  long atMillis();

  /** The worker connected and authenticated (the token is checked before this event exists). */
  record Hello(String workerId, long atMillis) implements WorkerEvent {}

  /** The worker finished command {@code commandId}. */
  record Result(long commandId, Outcome outcome, long atMillis) implements WorkerEvent {}

  /** A busy worker is alive. */
  record Heartbeat(long commandId, String stage, double fractionDone, long atMillis) implements WorkerEvent {}

  /** The worker's stream ended or its process/thread exited. */
  record Disconnected(String reason, long atMillis) implements WorkerEvent {}

  /** Time passes. */
  record Tick(long atMillis) implements WorkerEvent {}

  /** The job was cancelled (or failed elsewhere) and this worker must stop. */
  record Cancel(String reason, long atMillis) implements WorkerEvent {}

  /** The predecessor chunk stored {@code artifact} in the blob store. */
  record PeerStored(Artifact artifact, long stateHash, long atMillis) implements WorkerEvent {}

  /** The predecessor chunk's worker situation changed (launched, rebasing, gone). */
  record PeerStatus(PeerActivity activity, long atMillis) implements WorkerEvent {}

  /** How a command ended. */
  sealed interface Outcome permits Ok, Failure {}

  record Ok(long bytes, int frames, long stateHash, String detail) implements Outcome {
    public static Ok empty() {
      return new Ok(0, 0, 0, "");
    }
  }

  record Failure(String code, String message, boolean retryable) implements Outcome {}
}
