package io.tinythreads.fsm;

/**
 * What the predecessor chunk is doing, as the coordinator sees it. A worker waits for its
 * predecessor only while the predecessor has a live worker that will produce what it waits for;
 * a wait on a chunk without a worker could hold a worker slot forever (excamera-notes 3.4: the
 * serial chain must not be starved by its own waiters).
 */
public enum PeerActivity {
  /** No live worker: nothing more will appear until the coordinator launches one. */
  IDLE,
  /** A live worker, not (yet) in its REBASE stage. */
  ACTIVE,
  /** A live worker in its REBASE stage: its final state is on its way (rendezvous and blob). */
  REBASING
}
