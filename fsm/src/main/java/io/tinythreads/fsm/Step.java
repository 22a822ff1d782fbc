package io.tinythreads.fsm;

import java.util.List;

/** The result of one FSM step: the next state and the commands to carry out, in order. */
public record Step(WorkerState next, List<Cmd> cmds) {
  public Step {
    if (next == null) {
      throw new IllegalArgumentException("next is null");
    }
    cmds = List.copyOf(cmds);
  }

  static Step of(WorkerState next, Cmd... cmds) {
    return new Step(next, List.of(cmds));
  }
}
