package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;

/**
 * What a stage needs from the chunk before it in the batch before it may start.
 *
 * @param artifact the predecessor's artifact the stage reads (from the blob store, by key)
 * @param streamed the artifact can also reach the worker through the rendezvous while the
 *     predecessor is still producing it (the predecessor's final state, sent the moment its
 *     REBASE ends), so the stage may start as soon as the predecessor is rebasing
 */
public record PeerNeed(Artifact artifact, boolean streamed) {
  public PeerNeed {
    if (artifact == null || artifact == Artifact.ARTIFACT_UNSPECIFIED || artifact == Artifact.UNRECOGNIZED) {
      throw new IllegalArgumentException("artifact must be a concrete Artifact: " + artifact);
    }
  }

  @Override
  public String toString() {
    return "predecessor " + BlobKeys.shortName(artifact) + (streamed ? " (streamed)" : "");
  }
}
