package io.tinythreads.coordinator.report;

import java.util.Objects;

/**
 * One stage of one worker, for the timeline: a bar from {@code startUnixMicros} to {@code
 * endUnixMicros} in the worker's row.
 *
 * @param chunk the chunk the worker works on; -1 for the coordinator's own stages (ingest, join)
 * @param attempt 0 for the chunk's first worker, 1 for its first replacement, ...
 * @param workerId the worker's id (one timeline row per id)
 * @param stage the stage name: {@code launch}, {@code assign}, {@code fetch:raw_chunk},
 *     {@code encode_chunk}, {@code dump_state}, {@code upload:end_state}, {@code fetch:end_state},
 *     {@code encode_given_state}, {@code rebase}, {@code upload:output_chunk}, ... (see
 *     REPORT_API.md); the part before ':' picks the colour
 * @param startUnixMicros when the stage started (microseconds since the Unix epoch)
 * @param endUnixMicros when it ended; not before the start
 * @param ok whether the stage succeeded
 * @param message why it failed ("" when ok)
 */
public record StageEvent(int chunk, int attempt, String workerId, String stage, long startUnixMicros,
    long endUnixMicros, boolean ok, String message) {
  public StageEvent {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(stage, "stage");
    message = message == null ? "" : message;
    if (chunk < -1 || attempt < 0) {
      throw new IllegalArgumentException("stage event: chunk " + chunk + ", attempt " + attempt);
    }
    if (endUnixMicros < startUnixMicros) {
      throw new IllegalArgumentException("stage event " + stage + " of " + workerId + " ends (" + endUnixMicros
          + ") before it starts (" + startUnixMicros + ")");
    }
  }

  /** The stage's kind: the name before any ':' ("fetch" for "fetch:raw_chunk"). */
  public String kind() {
    int colon = stage.indexOf(':');
    return colon < 0 ? stage : stage.substring(0, colon);
  }

  /** Duration in seconds. */
  public double seconds() {
    return (endUnixMicros - startUnixMicros) / 1e6;
  }
}
