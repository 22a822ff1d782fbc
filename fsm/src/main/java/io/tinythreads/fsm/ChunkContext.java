package io.tinythreads.fsm;

import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.VideoInfo;

/**
 * What one worker works on and where things are: everything the Assign command carries, plus the
 * job id that names its blobs.
 *
 * @param rendezvousAddress host:port of the state relay; empty when the pipeline needs none
 */
public record ChunkContext(
    String jobId,
    PipelineDef pipeline,
    VideoInfo video,
    ChunkSpec chunk,
    EncodeSettings settings,
    String blobStoreUri,
    String rendezvousAddress) {

  public ChunkContext {
    BlobKeys.jobPrefix(jobId); // validates
    if (pipeline == null || video == null || chunk == null || settings == null || blobStoreUri == null) {
      throw new IllegalArgumentException("pipeline, video, chunk, settings and blobStoreUri are required");
    }
    rendezvousAddress = rendezvousAddress == null ? "" : rendezvousAddress;
  }

  public int chunkIndex() {
    return chunk.getIndex();
  }

  public boolean batchHead() {
    return chunk.getPositionInBatch() == 0;
  }
}
