package io.tinythreads.fsm;

import io.tinythreads.proto.CommandResult;
import io.tinythreads.proto.WorkerMessage;

/** Maps worker_session.proto messages to FSM events (the only place the FSM reads the wire). */
public final class ProtoEvents {
  private ProtoEvents() {}

  /**
   * The event for a message after the Hello. A Hello maps to {@link WorkerEvent.Hello} only after
   * its token was verified, which is the session's job, so it is rejected here.
   *
   * @throws IllegalArgumentException for a Hello or a message with no kind
   */
  public static WorkerEvent fromProto(WorkerMessage m, long nowMillis) {
    return switch (m.getKindCase()) {
      case RESULT -> result(m.getResult(), nowMillis);
      case HEARTBEAT -> new WorkerEvent.Heartbeat(
          m.getHeartbeat().getCommandId(), m.getHeartbeat().getStage(), m.getHeartbeat().getFractionDone(), nowMillis);
      case HELLO -> throw new IllegalArgumentException("hello must be verified by the session, not mapped here");
      case KIND_NOT_SET -> throw new IllegalArgumentException("worker message has no kind");
    };
  }

  static WorkerEvent result(CommandResult r, long nowMillis) {
    WorkerEvent.Outcome outcome = switch (r.getOutcomeCase()) {
      case OK -> new WorkerEvent.Ok(r.getOk().getBytes(), r.getOk().getFrames(), r.getOk().getStateHash(), r.getOk().getDetail());
      case FAILURE -> new WorkerEvent.Failure(
          r.getFailure().getCode().isEmpty() ? "UNKNOWN" : r.getFailure().getCode(),
          r.getFailure().getMessage(), r.getFailure().getRetryable());
      case OUTCOME_NOT_SET -> new WorkerEvent.Failure(WorkerFsm.PROTOCOL, "result without outcome", true);
    };
    return new WorkerEvent.Result(r.getCommandId(), outcome, nowMillis);
  }
}
