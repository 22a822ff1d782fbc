package io.tinythreads.fsm;

import static io.tinythreads.proto.Artifact.ARTIFACT_ENCODED_CHUNK;
import static io.tinythreads.proto.Artifact.ARTIFACT_END_STATE;
import static io.tinythreads.proto.Artifact.ARTIFACT_FINAL_STATE;
import static io.tinythreads.proto.Artifact.ARTIFACT_OUTPUT_CHUNK;
import static io.tinythreads.proto.Artifact.ARTIFACT_RAW_CHUNK;
import static io.tinythreads.proto.Artifact.ARTIFACT_REENCODED_CHUNK;

import io.tinythreads.proto.Pipeline;
import java.util.List;
import java.util.Set;

/** The pipeline definitions (DESIGN.md: "Pipelines are data, not code paths"). */
public final class Pipelines {
  private Pipelines() {}

  /**
   * ExCamera[N,1]: every chunk is encoded on its own by libvpx and starts with a keyframe. The
   * libvpx output is the chunk's output (the worker keeps it as both ENCODED_CHUNK and
   * OUTPUT_CHUNK).
   */
  public static final PipelineDef INDEPENDENT = new PipelineDef("independent", Pipeline.PIPELINE_INDEPENDENT, false, List.of(
      StageDef.assign(),
      StageDef.fetch(ARTIFACT_RAW_CHUNK, When.ALWAYS),
      StageDef.compute(StageKind.ENCODE_CHUNK, When.ALWAYS,
          Set.of(ARTIFACT_RAW_CHUNK), Set.of(ARTIFACT_ENCODED_CHUNK, ARTIFACT_OUTPUT_CHUNK)),
      StageDef.upload(ARTIFACT_OUTPUT_CHUNK, When.ALWAYS),
      StageDef.quit()));

  /**
   * ExCamera[N,x] (excamera-notes 1.2, 2.6 and 3.4). All parallel stages first: libvpx encodes the
   * chunk and vp8-state decodes it to its end state; every chunk but a batch head then re-encodes
   * its key frame as an interframe against its predecessor's end state (encode-given-state). The
   * serial stage last: REBASE takes the predecessor's final state (rendezvous or blob store),
   * rebases onto it, writes its own final state through to the blob store and sends it on.
   *
   * <p>Every intermediate is stored as soon as it exists, in dependency order (the libvpx chunk
   * before the end state decoded from it), so a replacement worker resumes where its predecessor
   * stopped and never recomputes something that a stored artifact was derived from.
   */
  public static final PipelineDef XC = new PipelineDef("xc", Pipeline.PIPELINE_XC, true, List.of(
      StageDef.assign(),
      StageDef.fetch(ARTIFACT_RAW_CHUNK, When.ALWAYS),
      StageDef.compute(StageKind.ENCODE_CHUNK, When.ALWAYS, Set.of(ARTIFACT_RAW_CHUNK), Set.of(ARTIFACT_ENCODED_CHUNK)),
      StageDef.upload(ARTIFACT_ENCODED_CHUNK, When.ALWAYS),
      StageDef.compute(StageKind.DUMP_STATE, When.ALWAYS, Set.of(ARTIFACT_ENCODED_CHUNK), Set.of(ARTIFACT_END_STATE)),
      StageDef.upload(ARTIFACT_END_STATE, When.ALWAYS),
      StageDef.compute(StageKind.ENCODE_GIVEN_STATE, When.NOT_BATCH_HEAD,
              Set.of(ARTIFACT_RAW_CHUNK, ARTIFACT_ENCODED_CHUNK), Set.of(ARTIFACT_REENCODED_CHUNK))
          .awaiting(new PeerNeed(ARTIFACT_END_STATE, false)),
      StageDef.upload(ARTIFACT_REENCODED_CHUNK, When.NOT_BATCH_HEAD),
      // A batch head keeps its keyframe: its final state is its end state and its output is the
      // libvpx output; it only passes the state on.
      StageDef.compute(StageKind.REBASE, When.BATCH_HEAD,
              Set.of(ARTIFACT_ENCODED_CHUNK, ARTIFACT_END_STATE), Set.of(ARTIFACT_FINAL_STATE, ARTIFACT_OUTPUT_CHUNK))
          .storing(ARTIFACT_FINAL_STATE),
      // Rebase keeps the modes and motion vectors of the re-encoded frames and recomputes the
      // residues against the original raw frames (excamera-notes 1.2 step 5). It reads the
      // predecessor's end state by key only when it must rebase (chain position >= 2).
      StageDef.compute(StageKind.REBASE, When.NOT_BATCH_HEAD,
              Set.of(ARTIFACT_RAW_CHUNK, ARTIFACT_REENCODED_CHUNK), Set.of(ARTIFACT_FINAL_STATE, ARTIFACT_OUTPUT_CHUNK))
          .storing(ARTIFACT_FINAL_STATE)
          .awaiting(new PeerNeed(ARTIFACT_FINAL_STATE, true)),
      StageDef.upload(ARTIFACT_OUTPUT_CHUNK, When.ALWAYS),
      StageDef.quit()));

  /** The project default: ExCamera[6,16]. */
  public static final Pipeline DEFAULT = Pipeline.PIPELINE_XC;

  public static List<PipelineDef> all() {
    return List.of(INDEPENDENT, XC);
  }

  /** The definition for a wire value; UNSPECIFIED means {@link #DEFAULT}. */
  public static PipelineDef of(Pipeline p) {
    return switch (p) {
      case PIPELINE_UNSPECIFIED -> of(DEFAULT);
      case PIPELINE_INDEPENDENT -> INDEPENDENT;
      case PIPELINE_XC -> XC;
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown pipeline value");
    };
  }

  /** Default frames per chunk (N): ExCamera used 6 for xc; independent chunks are longer (24). */
  public static int defaultFramesPerChunk(Pipeline p) {
    return of(p).proto() == Pipeline.PIPELINE_XC ? 6 : 24;
  }

  /** Default chunks per batch (x): 16 for xc (one keyframe per 96 frames), 1 for independent. */
  public static int defaultChunksPerBatch(Pipeline p) {
    return of(p).proto() == Pipeline.PIPELINE_XC ? 16 : 1;
  }
}
