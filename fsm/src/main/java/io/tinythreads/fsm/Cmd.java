package io.tinythreads.fsm;

import io.tinythreads.proto.Command;

/** What the driver must do after a step. The FSM itself does no I/O. */
public sealed interface Cmd permits Cmd.Send, Cmd.StageDone, Cmd.Hangup {

  /** Send {@code command} (for {@code stage}) to the worker. */
  record Send(StageDef stage, Command command) implements Cmd {}

  /** A stage finished successfully (for progress, timelines, and to tell the successor about uploads). */
  record StageDone(ChunkContext context, StageDef stage, WorkerEvent.Ok ok, long elapsedMillis) implements Cmd {}

  /**
   * Close the worker's stream: normally ({@code ok}) after Quit, or with an error. The driver
   * also stops the worker's process or thread if it does not exit by itself.
   */
  record Hangup(boolean ok, String reason) implements Cmd {}
}
