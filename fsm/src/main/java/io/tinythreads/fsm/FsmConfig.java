package io.tinythreads.fsm;

import java.util.EnumMap;
import java.util.Map;

/**
 * Timing rules of the worker FSM, injected (no clocks inside the FSM; time arrives in events).
 *
 * @param helloTimeoutMillis how long a launched worker may take to connect and say Hello
 * @param heartbeatTimeoutMillis a busy worker that sends nothing for this long is presumed dead (0 = off)
 * @param peerWaitMillis how long a worker may sit idle (Blocked, no command outstanding) waiting for its
 *     predecessor before it is parked: it quits, and a fresh worker resumes from its stored artifacts
 *     once the predecessor has moved on. A long wait then holds no worker slot and never runs into
 *     the worker's own idle timeout (600 s by default); an idle worker sends no heartbeats, so the
 *     heartbeat timeout does not apply to it (a dead one shows as a closed stream).
 * @param stageDeadlineMillis the deadline of each stage, counted from when its command is sent.
 *     Heartbeats keep a stage alive only up to its deadline.
 */
public record FsmConfig(
    long helloTimeoutMillis, long heartbeatTimeoutMillis, long peerWaitMillis, Map<StageKind, Long> stageDeadlineMillis) {

  public FsmConfig {
    if (helloTimeoutMillis <= 0 || heartbeatTimeoutMillis < 0 || peerWaitMillis <= 0) {
      throw new IllegalArgumentException("helloTimeoutMillis and peerWaitMillis must be > 0, heartbeatTimeoutMillis >= 0");
    }
    EnumMap<StageKind, Long> m = new EnumMap<>(StageKind.class);
    for (StageKind k : StageKind.values()) {
      Long v = stageDeadlineMillis.get(k);
      if (v == null || v <= 0) {
        throw new IllegalArgumentException("stageDeadlineMillis[" + k + "] must be > 0: " + v);
      }
      m.put(k, v);
    }
    stageDeadlineMillis = Map.copyOf(m);
  }

  /**
   * Generous defaults for laptop-sized inputs: a JVM worker connects within seconds, a libvpx
   * chunk of 24 frames at 1080p encodes in well under a minute on one core. REBASE includes the
   * wait for the predecessor's final state, which grows with the position in the batch.
   */
  public static FsmConfig defaults() {
    EnumMap<StageKind, Long> m = new EnumMap<>(StageKind.class);
    m.put(StageKind.ASSIGN, 30_000L);
    m.put(StageKind.FETCH, 120_000L);
    m.put(StageKind.ENCODE_CHUNK, 600_000L);
    m.put(StageKind.DUMP_STATE, 300_000L);
    m.put(StageKind.ENCODE_GIVEN_STATE, 600_000L);
    m.put(StageKind.REBASE, 1_800_000L);
    m.put(StageKind.UPLOAD, 120_000L);
    m.put(StageKind.QUIT, 30_000L);
    return new FsmConfig(120_000L, 60_000L, 60_000L, m);
  }

  /** The same rules with every stage deadline set to {@code millis} (JobSpec.stage_deadline_millis). */
  public FsmConfig withAllStageDeadlines(long millis) {
    EnumMap<StageKind, Long> m = new EnumMap<>(StageKind.class);
    for (StageKind k : StageKind.values()) {
      m.put(k, millis);
    }
    return new FsmConfig(helloTimeoutMillis, heartbeatTimeoutMillis, peerWaitMillis, m);
  }

  public FsmConfig withHelloTimeout(long millis) {
    return new FsmConfig(millis, heartbeatTimeoutMillis, peerWaitMillis, stageDeadlineMillis);
  }

  public FsmConfig withHeartbeatTimeout(long millis) {
    return new FsmConfig(helloTimeoutMillis, millis, peerWaitMillis, stageDeadlineMillis);
  }

  public FsmConfig withPeerWait(long millis) {
    return new FsmConfig(helloTimeoutMillis, heartbeatTimeoutMillis, millis, stageDeadlineMillis);
  }

  public long deadline(StageKind kind) {
    return stageDeadlineMillis.get(kind);
  }
}
