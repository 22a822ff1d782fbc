package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * What the worker's predecessor has stored in the blob store so far, with the state hash it
 * reported (0 if unknown, e.g. found in the store at planning time), and what it is doing now.
 */
public record Peers(Map<Artifact, Long> stored, PeerActivity activity) {
  public Peers {
    stored = Map.copyOf(stored);
    if (activity == null) {
      throw new IllegalArgumentException("activity is null");
    }
  }

  /** No predecessor artifacts and no predecessor worker (also what a batch head sees). */
  public static Peers none() {
    return new Peers(Map.of(), PeerActivity.IDLE);
  }

  /** The artifacts (hash unknown) and activity. */
  public static Peers of(Set<Artifact> artifacts, PeerActivity activity) {
    Map<Artifact, Long> m = new EnumMap<>(Artifact.class);
    for (Artifact a : artifacts) {
      m.put(a, 0L);
    }
    return new Peers(m, activity);
  }

  public boolean has(Artifact a) {
    return stored.containsKey(a);
  }

  public long hash(Artifact a) {
    return stored.getOrDefault(a, 0L);
  }

  public Peers with(Artifact a, long hash) {
    Map<Artifact, Long> m = new EnumMap<>(Artifact.class);
    m.putAll(stored);
    // A hash learnt earlier is not forgotten by a later report that does not know it.
    m.merge(a, hash, (old, now) -> now != 0 ? now : old);
    return new Peers(m, activity);
  }

  public Peers with(PeerActivity a) {
    return new Peers(stored, a);
  }

  /** Whether {@code need} is satisfied now, worth waiting for, or not coming without a new worker. */
  Readiness readiness(PeerNeed need) {
    if (has(need.artifact()) || need.streamed() && activity == PeerActivity.REBASING) {
      return Readiness.READY;
    }
    return activity == PeerActivity.IDLE ? Readiness.PARK : Readiness.WAIT;
  }

  enum Readiness {
    READY,
    WAIT,
    PARK
  }
}
