package io.tinythreads.fsm;

import java.util.List;

/**
 * The fixed part of one worker's run: its chunk context and the stages it still has to run
 * (computed by {@link Planner}). The command for stage {@code i} has id {@code i + 1}.
 */
public record Plan(ChunkContext context, List<StageDef> stages) {
  public Plan {
    stages = List.copyOf(stages);
    if (stages.isEmpty() || stages.getFirst().kind() != StageKind.ASSIGN || stages.getLast().kind() != StageKind.QUIT) {
      throw new IllegalArgumentException("a plan starts with ASSIGN and ends with QUIT: " + stages);
    }
  }

  public StageDef stage(int i) {
    return stages.get(i);
  }

  public static long commandId(int stageIndex) {
    return stageIndex + 1L;
  }
}
