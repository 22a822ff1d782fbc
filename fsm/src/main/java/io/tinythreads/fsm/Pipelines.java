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
      StageDef.fetch(ARTIFACT_RAW_CHUNK, Owner.SELF, When.ALWAYS),
      StageDef.compute(StageKind.ENCODE_CHUNK, When.ALWAYS,
          Set.of(Local.self(ARTIFACT_RAW_CHUNK)),
          Set.of(Local.self(ARTIFACT_ENCODED_CHUNK), Local.self(ARTIFACT_OUTPUT_CHUNK))),
      StageDef.upload(ARTIFACT_OUTPUT_CHUNK, When.ALWAYS),
      StageDef.quit()));

  /**
   * ExCamera[N,x] (excamera-notes 1.2 and 3.4): libvpx per chunk, dump its end state; every chunk
   * but a batch head re-encodes its first frame as an interframe against the predecessor's end
   * state (encode-given-state); then the serial rebase receives the predecessor's final state,
   * rebases onto it and passes its own final state on. Every intermediate is written through to
   * the blob store so a replacement worker resumes where its predecessor stopped.
   */
  public static final PipelineDef XC = new PipelineDef("xc", Pipeline.PIPELINE_XC, true, List.of(
      StageDef.assign(),
      StageDef.fetch(ARTIFACT_RAW_CHUNK, Owner.SELF, When.ALWAYS),
      StageDef.compute(StageKind.ENCODE_CHUNK, When.ALWAYS,
          Set.of(Local.self(ARTIFACT_RAW_CHUNK)), Set.of(Local.self(ARTIFACT_ENCODED_CHUNK))),
      StageDef.compute(StageKind.DUMP_STATE, When.ALWAYS,
          Set.of(Local.self(ARTIFACT_ENCODED_CHUNK)), Set.of(Local.self(ARTIFACT_END_STATE))),
      StageDef.upload(ARTIFACT_END_STATE, When.ALWAYS),
      StageDef.fetch(ARTIFACT_END_STATE, Owner.PREDECESSOR, When.NOT_BATCH_HEAD),
      StageDef.compute(StageKind.ENCODE_GIVEN_STATE, When.NOT_BATCH_HEAD,
          Set.of(Local.self(ARTIFACT_RAW_CHUNK), Local.self(ARTIFACT_ENCODED_CHUNK),
              Local.predecessor(ARTIFACT_END_STATE)),
          Set.of(Local.self(ARTIFACT_REENCODED_CHUNK))),
      StageDef.upload(ARTIFACT_REENCODED_CHUNK, When.NOT_BATCH_HEAD),
      // A batch head keeps its keyframe: its final state is its end state and its output is the
      // libvpx output; it only passes the state on.
      StageDef.compute(StageKind.REBASE, When.BATCH_HEAD,
          Set.of(Local.self(ARTIFACT_ENCODED_CHUNK), Local.self(ARTIFACT_END_STATE)),
          Set.of(Local.self(ARTIFACT_FINAL_STATE), Local.self(ARTIFACT_OUTPUT_CHUNK))),
      // Rebase keeps the modes and motion vectors of the (re-encoded) frames and recomputes the
      // residues against the original raw frames (excamera-notes 1.2 step 5).
      StageDef.compute(StageKind.REBASE, When.NOT_BATCH_HEAD,
          Set.of(Local.self(ARTIFACT_RAW_CHUNK), Local.self(ARTIFACT_ENCODED_CHUNK),
              Local.self(ARTIFACT_REENCODED_CHUNK)),
          Set.of(Local.self(ARTIFACT_FINAL_STATE), Local.self(ARTIFACT_OUTPUT_CHUNK))),
      StageDef.upload(ARTIFACT_FINAL_STATE, When.ALWAYS),
      StageDef.upload(ARTIFACT_OUTPUT_CHUNK, When.ALWAYS),
      StageDef.quit()));

  /** The project default; becomes {@link #XC} once the re-encoder lands. */
  public static final Pipeline DEFAULT = Pipeline.PIPELINE_INDEPENDENT;

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
