package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Pipeline;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A pipeline as data: the ordered stages every worker of the pipeline runs (filtered per chunk by
 * {@link StageDef#when()}). The first stage is ASSIGN and the last is QUIT.
 *
 * @param needsRendezvous whether workers must be given the rendezvous address (state relay)
 */
public record PipelineDef(String name, Pipeline proto, boolean needsRendezvous, List<StageDef> stages) {
  public PipelineDef {
    stages = List.copyOf(stages);
    if (stages.isEmpty() || stages.getFirst().kind() != StageKind.ASSIGN || stages.getLast().kind() != StageKind.QUIT) {
      throw new IllegalArgumentException(name + ": a pipeline starts with ASSIGN and ends with QUIT");
    }
    for (int i = 1; i < stages.size() - 1; i++) {
      StageKind k = stages.get(i).kind();
      if (k == StageKind.ASSIGN || k == StageKind.QUIT) {
        throw new IllegalArgumentException(name + ": " + k + " may only appear at the ends");
      }
    }
  }

  /** Artifacts this pipeline writes to the blob store for a chunk at {@code chunk}'s batch position. */
  public Set<Artifact> uploads(ChunkSpec chunk) {
    Set<Artifact> out = EnumSet.noneOf(Artifact.class);
    for (StageDef s : stages) {
      if (s.when().applies(chunk)) {
        out.addAll(s.stores());
      }
    }
    return out;
  }
}
