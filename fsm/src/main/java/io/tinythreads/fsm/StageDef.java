package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import java.util.Set;

/**
 * One step of a pipeline, as data: which command it sends, for which chunks of a batch it applies,
 * and which local artifacts it needs and produces. {@link Planner} walks these declarations
 * backwards to decide what a (replacement) worker still has to do.
 *
 * <p>{@code artifact} and {@code owner} are meaningful for {@link StageKind#FETCH} (the blob it
 * downloads) and {@link StageKind#UPLOAD} (always the worker's own chunk); other kinds carry
 * {@link Artifact#ARTIFACT_UNSPECIFIED}.
 */
public record StageDef(
    StageKind kind, Artifact artifact, Owner owner, When when, Set<Local> needs, Set<Local> produces) {

  public StageDef {
    if (kind == null || artifact == null || owner == null || when == null) {
      throw new IllegalArgumentException("kind, artifact, owner and when are required");
    }
    boolean moves = kind == StageKind.FETCH || kind == StageKind.UPLOAD;
    if (moves == (artifact == Artifact.ARTIFACT_UNSPECIFIED)) {
      throw new IllegalArgumentException(kind + " " + (moves ? "needs" : "takes no") + " artifact");
    }
    if (kind == StageKind.UPLOAD && owner != Owner.SELF) {
      throw new IllegalArgumentException("a worker uploads only its own artifacts");
    }
    needs = Set.copyOf(needs);
    produces = Set.copyOf(produces);
  }

  public static StageDef assign() {
    return new StageDef(StageKind.ASSIGN, Artifact.ARTIFACT_UNSPECIFIED, Owner.SELF, When.ALWAYS, Set.of(), Set.of());
  }

  public static StageDef quit() {
    return new StageDef(StageKind.QUIT, Artifact.ARTIFACT_UNSPECIFIED, Owner.SELF, When.ALWAYS, Set.of(), Set.of());
  }

  /** Download {@code owner}'s {@code artifact} from the blob store into local scratch. */
  public static StageDef fetch(Artifact artifact, Owner owner, When when) {
    return new StageDef(StageKind.FETCH, artifact, owner, when, Set.of(), Set.of(new Local(artifact, owner)));
  }

  /** Upload the worker's own {@code artifact} to the blob store. */
  public static StageDef upload(Artifact artifact, When when) {
    return new StageDef(StageKind.UPLOAD, artifact, Owner.SELF, when, Set.of(Local.self(artifact)), Set.of());
  }

  /** A local computation ({@code ENCODE_CHUNK}, {@code DUMP_STATE}, ...). */
  public static StageDef compute(StageKind kind, When when, Set<Local> needs, Set<Local> produces) {
    return new StageDef(kind, Artifact.ARTIFACT_UNSPECIFIED, Owner.SELF, when, needs, produces);
  }

  /** True for a fetch of the predecessor's blob, which must wait until the predecessor uploaded it. */
  public boolean needsPeerBlob() {
    return kind == StageKind.FETCH && owner == Owner.PREDECESSOR;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case FETCH -> "fetch " + new Local(artifact, owner);
      case UPLOAD -> "upload " + BlobKeys.shortName(artifact);
      default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    };
  }
}
