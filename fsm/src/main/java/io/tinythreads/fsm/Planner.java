package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which stages a worker runs, given what its chunk already has in the blob store.
 *
 * <p>The walk goes backwards over the pipeline's stages. A stage that writes an artifact to the
 * store (an upload, or a REBASE writing its final state through) is kept if that artifact is not
 * stored yet; any other stage is kept only if it produces a local artifact a kept later stage
 * needs. When every needed product of a stage is already stored for this chunk, the stage is
 * replaced by fetches of those artifacts (re-downloading is cheaper than re-computing). A first
 * worker (nothing stored but the raw chunk) therefore runs the whole pipeline, and a replacement
 * resumes after the last artifact its predecessor wrote through.
 */
public final class Planner {
  private Planner() {}

  public static List<StageDef> plan(PipelineDef pipeline, ChunkSpec chunk, Set<Artifact> storedForChunk) {
    List<StageDef> applicable = new ArrayList<>();
    for (StageDef s : pipeline.stages()) {
      if (s.when().applies(chunk)) {
        applicable.add(s);
      }
    }
    Deque<StageDef> kept = new ArrayDeque<>();
    Set<Artifact> needed = EnumSet.noneOf(Artifact.class);
    for (int i = applicable.size() - 1; i >= 0; i--) {
      StageDef s = applicable.get(i);
      if (s.kind() == StageKind.ASSIGN || s.kind() == StageKind.QUIT) {
        kept.addFirst(s);
        continue;
      }
      boolean mustStore = !storedForChunk.containsAll(s.stores());
      Set<Artifact> wanted = EnumSet.noneOf(Artifact.class);
      wanted.addAll(s.produces());
      wanted.retainAll(needed);
      if (!mustStore && wanted.isEmpty()) {
        continue;
      }
      if (!mustStore && s.kind() != StageKind.FETCH && storedForChunk.containsAll(wanted)) {
        // Fetch in a stable order (by artifact number) so plans are deterministic.
        wanted.stream()
            .sorted((a, b) -> Integer.compare(b.getNumber(), a.getNumber()))
            .forEach(a -> kept.addFirst(StageDef.fetch(a, When.ALWAYS)));
        needed.removeAll(wanted);
      } else {
        kept.addFirst(s);
        needed.removeAll(s.produces());
        needed.addAll(s.needs());
      }
    }
    if (!needed.isEmpty()) {
      throw new IllegalStateException(pipeline.name() + ": nothing produces " + needed + " for chunk " + chunk.getIndex());
    }
    return List.copyOf(kept);
  }
}
