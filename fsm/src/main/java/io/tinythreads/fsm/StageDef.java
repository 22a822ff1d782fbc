package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import java.util.Optional;
import java.util.Set;

/**
 * One step of a pipeline, as data: which command it sends, for which chunks of a batch it applies,
 * which local artifacts (of the worker's own chunk) it needs and produces, which it writes to the
 * blob store, and what it needs from the predecessor chunk. {@link Planner} walks these
 * declarations backwards to decide what a (replacement) worker still has to do.
 *
 * <p>{@code artifact} is meaningful for {@link StageKind#FETCH} (the blob it downloads) and
 * {@link StageKind#UPLOAD}; other kinds carry {@link Artifact#ARTIFACT_UNSPECIFIED}. A worker only
 * fetches and uploads its own chunk's artifacts; the predecessor's are read by the stage that
 * needs them, by key ({@code peer}), once the predecessor stored them.
 *
 * @param stores artifacts this stage writes to the blob store (an upload's artifact; a REBASE
 *     writes its final state through itself)
 */
public record StageDef(
    StageKind kind, Artifact artifact, When when, Set<Artifact> needs, Set<Artifact> produces,
    Set<Artifact> stores, Optional<PeerNeed> peer) {

  public StageDef {
    if (kind == null || artifact == null || when == null || peer == null) {
      throw new IllegalArgumentException("kind, artifact, when and peer are required");
    }
    boolean moves = kind == StageKind.FETCH || kind == StageKind.UPLOAD;
    if (moves == (artifact == Artifact.ARTIFACT_UNSPECIFIED)) {
      throw new IllegalArgumentException(kind + " " + (moves ? "needs" : "takes no") + " artifact");
    }
    needs = Set.copyOf(needs);
    produces = Set.copyOf(produces);
    stores = Set.copyOf(stores);
  }

  public static StageDef assign() {
    return new StageDef(StageKind.ASSIGN, Artifact.ARTIFACT_UNSPECIFIED, When.ALWAYS, Set.of(), Set.of(), Set.of(),
        Optional.empty());
  }

  public static StageDef quit() {
    return new StageDef(StageKind.QUIT, Artifact.ARTIFACT_UNSPECIFIED, When.ALWAYS, Set.of(), Set.of(), Set.of(),
        Optional.empty());
  }

  /** Download the chunk's own {@code artifact} from the blob store into local scratch. */
  public static StageDef fetch(Artifact artifact, When when) {
    return new StageDef(StageKind.FETCH, artifact, when, Set.of(), Set.of(artifact), Set.of(), Optional.empty());
  }

  /** Upload the chunk's own {@code artifact} to the blob store. */
  public static StageDef upload(Artifact artifact, When when) {
    return new StageDef(StageKind.UPLOAD, artifact, when, Set.of(artifact), Set.of(), Set.of(artifact),
        Optional.empty());
  }

  /** A local computation ({@code ENCODE_CHUNK}, {@code DUMP_STATE}, ...). */
  public static StageDef compute(StageKind kind, When when, Set<Artifact> needs, Set<Artifact> produces) {
    return new StageDef(kind, Artifact.ARTIFACT_UNSPECIFIED, when, needs, produces, Set.of(), Optional.empty());
  }

  /** The same stage, also writing {@code artifacts} to the blob store. */
  public StageDef storing(Artifact... artifacts) {
    return new StageDef(kind, artifact, when, needs, produces, Set.of(artifacts), peer);
  }

  /** The same stage, waiting for the predecessor's {@code need} first. */
  public StageDef awaiting(PeerNeed need) {
    return new StageDef(kind, artifact, when, needs, produces, stores, Optional.of(need));
  }

  @Override
  public String toString() {
    return switch (kind) {
      case FETCH -> "fetch " + BlobKeys.shortName(artifact);
      case UPLOAD -> "upload " + BlobKeys.shortName(artifact);
      default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    };
  }
}
