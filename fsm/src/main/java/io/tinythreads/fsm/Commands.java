package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Assign;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.DumpState;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.EncodeGivenState;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Quit;
import io.tinythreads.proto.Rebase;
import io.tinythreads.proto.Upload;

/** Builds the wire command for a stage (worker_session.proto). Pure. */
final class Commands {
  private Commands() {}

  static Command build(StageDef s, ChunkContext ctx, Peers peers, long commandId, long deadlineMillis) {
    Command.Builder b = Command.newBuilder().setCommandId(commandId).setDeadlineMillis(deadlineMillis);
    int self = ctx.chunkIndex();
    return switch (s.kind()) {
      case ASSIGN -> b.setAssign(Assign.newBuilder()
              .setVideo(ctx.video())
              .setChunk(ctx.chunk())
              .setSettings(ctx.settings())
              .setBlobStoreUri(ctx.blobStoreUri())
              .setRendezvousAddress(ctx.pipeline().needsRendezvous() ? ctx.rendezvousAddress() : "")
              .setPipeline(ctx.pipeline().proto()))
          .build();
      case FETCH -> b.setFetch(Fetch.newBuilder()
              .setArtifact(s.artifact())
              .setKey(BlobKeys.key(ctx.jobId(), self, s.artifact())))
          .build();
      case ENCODE_CHUNK -> b.setEncodeChunk(EncodeChunk.getDefaultInstance()).build();
      case DUMP_STATE -> b.setDumpState(DumpState.getDefaultInstance()).build();
      case ENCODE_GIVEN_STATE -> b.setEncodeGivenState(EncodeGivenState.newBuilder()
              .setPredecessorEndStateKey(BlobKeys.key(ctx.jobId(), self - 1, Artifact.ARTIFACT_END_STATE))
              .setKfQWeight(ctx.settings().getKfQWeight()))
          .build();
      case REBASE -> {
        boolean head = ctx.batchHead();
        yield b.setRebase(Rebase.newBuilder()
                .setPredecessorFinalStateKey(head ? "" : BlobKeys.key(ctx.jobId(), self - 1, Artifact.ARTIFACT_FINAL_STATE))
                .setExpectedPredecessorHash(head ? 0 : peers.hash(Artifact.ARTIFACT_FINAL_STATE))
                .setReceiveFromRendezvous(!head)
                .setSendToSuccessor(!ctx.chunk().getLastInBatch())
                .setFinalStateKey(BlobKeys.key(ctx.jobId(), self, Artifact.ARTIFACT_FINAL_STATE))
                .setPredecessorEndStateKey(head ? "" : BlobKeys.key(ctx.jobId(), self - 1, Artifact.ARTIFACT_END_STATE)))
            .build();
      }
      case UPLOAD -> b.setUpload(Upload.newBuilder()
              .setArtifact(s.artifact())
              .setKey(BlobKeys.key(ctx.jobId(), self, s.artifact())))
          .build();
      case QUIT -> b.setQuit(Quit.getDefaultInstance()).build();
    };
  }
}
