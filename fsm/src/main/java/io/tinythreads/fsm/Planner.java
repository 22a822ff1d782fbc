package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which stages a worker runs, given what its chunk already has in the blob store.
 *
 * <p>The walk goes backwards over the pipeline's stages. An upload is kept only if its artifact
 * is not stored yet; any other stage is kept only if it produces a local artifact a kept later
 * stage needs. When every needed product of a stage is already stored for this chunk, the stage
 * is replaced by fetches of those artifacts (re-downloading is cheaper than re-computing). A first
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
    Set<Local> needed = new HashSet<>();
    for (int i = applicable.size() - 1; i >= 0; i--) {
      StageDef s = applicable.get(i);
      switch (s.kind()) {
        case ASSIGN, QUIT -> kept.addFirst(s);
        case UPLOAD -> {
          if (!storedForChunk.contains(s.artifact())) {
            kept.addFirst(s);
            needed.addAll(s.needs());
          }
        }
        case FETCH, ENCODE_CHUNK, DUMP_STATE, ENCODE_GIVEN_STATE, REBASE -> {
          Set<Local> wanted = new HashSet<>(s.produces());
          wanted.retainAll(needed);
          if (wanted.isEmpty()) {
            continue;
          }
          boolean allStored = s.kind() != StageKind.FETCH
              && wanted.stream().allMatch(l -> l.owner() == Owner.SELF && storedForChunk.contains(l.artifact()));
          if (allStored) {
            // Fetch in a stable order (by artifact number) so plans are deterministic.
            wanted.stream()
                .sorted((a, b) -> Integer.compare(b.artifact().getNumber(), a.artifact().getNumber()))
                .forEach(l -> kept.addFirst(StageDef.fetch(l.artifact(), Owner.SELF, When.ALWAYS)));
            needed.removeAll(wanted);
          } else {
            kept.addFirst(s);
            needed.removeAll(s.produces());
            needed.addAll(s.needs());
          }
        }
      }
    }
    if (!needed.isEmpty()) {
      throw new IllegalStateException(pipeline.name() + ": nothing produces " + needed + " for chunk " + chunk.getIndex());
    }
    return List.copyOf(kept);
  }
}
