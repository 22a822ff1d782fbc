package io.tinythreads.coordinator.job;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.launch.WorkerHandle;
import io.tinythreads.fsm.StageKind;

/**
 * Observation points for tests and tools (fault injection, timelines). Called on the job's own
 * threads; implementations must be quick and must not block.
 */
public interface JobHooks {
  JobHooks NONE = new JobHooks() {};

  /** Ingest stored chunk {@code chunk}'s raw frames under {@code key}; no worker has seen them yet. */
  default void rawChunkStored(String jobId, int chunk, String key, BlobStore blobs) {}

  /** A worker was launched for ({@code chunk}, {@code attempt}). */
  default void workerLaunched(String jobId, int chunk, int attempt, WorkerHandle handle) {}

  /** The coordinator sent ({@code chunk}, {@code attempt})'s worker the command for {@code stage}. */
  default void stageStarted(String jobId, int chunk, int attempt, StageKind stage, WorkerHandle handle) {}

  /**
   * The output is joined and in place; the report is about to be built from the chunks' quality
   * sidecars in {@code blobs} (on the job's report thread, before the intermediates are deleted).
   */
  default void reportStarting(String jobId, BlobStore blobs) {}
}
