package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the worker's predecessor has stored in the blob store so far, with the state hash reported
 * on upload (0 if unknown, e.g. found in the store at planning time).
 */
public record Peers(Map<Artifact, Long> stored) {
  public Peers {
    stored = Map.copyOf(stored);
  }

  public static Peers none() {
    return new Peers(Map.of());
  }

  public static Peers of(java.util.Set<Artifact> artifacts) {
    Map<Artifact, Long> m = new EnumMap<>(Artifact.class);
    for (Artifact a : artifacts) {
      m.put(a, 0L);
    }
    return new Peers(m);
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
    m.put(a, hash);
    return new Peers(m);
  }
}
