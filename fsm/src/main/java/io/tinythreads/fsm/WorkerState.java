package io.tinythreads.fsm;

/**
 * The state of the coordinator's view of one worker (one attempt at one chunk). Each state is a
 * value; {@link WorkerFsm#step} maps (state, event) to the next state and the commands to run.
 */
public sealed interface WorkerState
    permits WorkerState.AwaitingHello,
        WorkerState.Running,
        WorkerState.Blocked,
        WorkerState.Succeeded,
        WorkerState.Failed,
        WorkerState.Cancelled {

  /** True once the worker's fate is decided; later events change nothing. */
  default boolean terminal() {
    return this instanceof Succeeded || this instanceof Failed || this instanceof Cancelled;
  }

  /** Launched; waiting for the worker to connect and say Hello. */
  record AwaitingHello(Plan plan, Peers peers, long sinceMillis) implements WorkerState {}

  /**
   * The command for {@code plan.stage(stage)} (id {@link Plan#commandId}) was sent at
   * {@code stageStartMillis}; {@code lastHeardMillis} is the last message from the worker.
   */
  record Running(Plan plan, Peers peers, String workerId, int stage, long stageStartMillis, long lastHeardMillis)
      implements WorkerState {
    public StageDef current() {
      return plan.stage(stage);
    }

    public long commandId() {
      return Plan.commandId(stage);
    }
  }

  /** The next stage needs a blob the predecessor has not stored yet; nothing is outstanding. */
  record Blocked(Plan plan, Peers peers, String workerId, int stage, long sinceMillis, long lastHeardMillis)
      implements WorkerState {
    public StageDef next() {
      return plan.stage(stage);
    }
  }

  /** Every stage succeeded and Quit was sent. */
  record Succeeded(String workerId) implements WorkerState {}

  /**
   * The worker failed, vanished or missed a deadline.
   *
   * @param code short machine-readable cause (the worker's Failure code, or DEADLINE, DISCONNECTED,
   *     NO_HELLO, UNRESPONSIVE, PROTOCOL, PEER_WAIT)
   * @param retryable whether a replacement worker may succeed
   */
  record Failed(String code, String reason, boolean retryable) implements WorkerState {}

  /** The job was cancelled. */
  record Cancelled(String reason) implements WorkerState {}
}
