package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;

/**
 * An artifact held in a worker's local scratch: what it is and whose chunk it belongs to. Stages
 * declare the locals they need and produce, which is what lets a replacement worker skip work.
 */
public record Local(Artifact artifact, Owner owner) {
  public Local {
    if (artifact == null || artifact == Artifact.ARTIFACT_UNSPECIFIED || artifact == Artifact.UNRECOGNIZED) {
      throw new IllegalArgumentException("artifact must be a concrete Artifact: " + artifact);
    }
    if (owner == null) {
      throw new IllegalArgumentException("owner is null");
    }
  }

  public static Local self(Artifact a) {
    return new Local(a, Owner.SELF);
  }

  public static Local predecessor(Artifact a) {
    return new Local(a, Owner.PREDECESSOR);
  }

  @Override
  public String toString() {
    return (owner == Owner.SELF ? "" : "predecessor ") + BlobKeys.shortName(artifact);
  }
}
