package io.tinythreads.fsm;

/** Whose artifact a stage moves: the worker's own chunk, or the chunk just before it in the batch. */
public enum Owner {
  SELF,
  PREDECESSOR
}
