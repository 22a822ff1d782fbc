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
        WorkerState.Cancelled,
        WorkerState.Parked {

  /** True once the worker's fate is decided; later events change nothing. */
  default boolean terminal() {
    return this instanceof Succeeded || this instanceof Failed || this instanceof Cancelled || this instanceof Parked;
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
   *     NO_HELLO, UNRESPONSIVE, PROTOCOL)
   * @param retryable whether a replacement worker may succeed
   */
  record Failed(String code, String reason, boolean retryable) implements WorkerState {}

  /** The job was cancelled. */
  record Cancelled(String reason) implements WorkerState {}

  /**
   * The worker stopped before its work was done, through no fault of its own: its next stage waits
   * for a predecessor that has no live worker, and a waiting worker would hold a worker slot the
   * predecessor may need. What it finished is stored; a fresh worker resumes from there once the
   * predecessor has made progress. Not a failure: it does not count against the chunk's attempts.
   *
   * @param aborted true if the worker was stopped mid-command (its stream closed, to be killed),
   *     false if it was sent Quit
   */
  record Parked(String workerId, String reason, boolean aborted) implements WorkerState {}
}
