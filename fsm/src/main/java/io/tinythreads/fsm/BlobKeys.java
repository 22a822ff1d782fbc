package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;

/**
 * The deterministic blob-store layout of a job. Every intermediate artifact has a key that depends
 * only on (job, chunk, artifact), so any step can be re-run by a fresh worker (DESIGN.md
 * "Contracts: blob store").
 *
 * <pre>
 *   jobs/&lt;job&gt;/chunks/&lt;index %06d&gt;/raw.y4m        ARTIFACT_RAW_CHUNK
 *                                    encoded.ivf    ARTIFACT_ENCODED_CHUNK
 *                                    end.state      ARTIFACT_END_STATE
 *                                    reencoded.ivf  ARTIFACT_REENCODED_CHUNK
 *                                    final.state    ARTIFACT_FINAL_STATE
 *                                    output.ivf     ARTIFACT_OUTPUT_CHUNK
 *                                    quality.bin    the output chunk's quality, measured by its worker
 * </pre>
 *
 * <p>{@code quality.bin} is not an artifact of the FSM: the worker that uploads the output chunk
 * writes it first, next to the output's key (worker {@code ChunkQuality.keyFor}), and only the job
 * report reads it.
 */
public final class BlobKeys {
  private BlobKeys() {}

  /** Prefix holding everything of one job, ending in '/'. */
  public static String jobPrefix(String jobId) {
    checkJobId(jobId);
    return "jobs/" + jobId + "/";
  }

  /** Prefix holding everything of one chunk, ending in '/'. */
  public static String chunkPrefix(String jobId, int chunkIndex) {
    if (chunkIndex < 0) {
      throw new IllegalArgumentException("chunkIndex must be >= 0: " + chunkIndex);
    }
    return jobPrefix(jobId) + "chunks/" + String.format(java.util.Locale.ROOT, "%06d", chunkIndex) + "/";
  }

  public static String key(String jobId, int chunkIndex, Artifact artifact) {
    return chunkPrefix(jobId, chunkIndex) + fileName(artifact);
  }

  /**
   * The quality sidecar of a chunk's output ({@code quality.bin} next to {@code output.ivf}); the
   * job report reads it instead of decoding the whole output.
   */
  public static String quality(String jobId, int chunkIndex) {
    return chunkPrefix(jobId, chunkIndex) + "quality.bin";
  }

  /** The file name of an artifact inside its chunk's folder. */
  public static String fileName(Artifact artifact) {
    return switch (artifact) {
      case ARTIFACT_RAW_CHUNK -> "raw.y4m";
      case ARTIFACT_ENCODED_CHUNK -> "encoded.ivf";
      case ARTIFACT_END_STATE -> "end.state";
      case ARTIFACT_REENCODED_CHUNK -> "reencoded.ivf";
      case ARTIFACT_FINAL_STATE -> "final.state";
      case ARTIFACT_OUTPUT_CHUNK -> "output.ivf";
      case ARTIFACT_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("artifact: " + artifact);
    };
  }

  static String shortName(Artifact artifact) {
    return switch (artifact) {
      case ARTIFACT_RAW_CHUNK -> "raw chunk";
      case ARTIFACT_ENCODED_CHUNK -> "encoded chunk";
      case ARTIFACT_END_STATE -> "end state";
      case ARTIFACT_REENCODED_CHUNK -> "re-encoded chunk";
      case ARTIFACT_FINAL_STATE -> "final state";
      case ARTIFACT_OUTPUT_CHUNK -> "output chunk";
      case ARTIFACT_UNSPECIFIED, UNRECOGNIZED -> artifact.name();
    };
  }

  private static void checkJobId(String jobId) {
    if (jobId == null || jobId.isEmpty() || !jobId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("jobId must be [A-Za-z0-9_-]+: " + jobId);
    }
  }
}
