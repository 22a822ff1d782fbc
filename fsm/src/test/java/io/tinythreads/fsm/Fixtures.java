package io.tinythreads.fsm;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.VideoInfo;
import java.util.Set;

/** Chunk contexts for FSM tests. */
final class Fixtures {
  private Fixtures() {}

  static final VideoInfo VIDEO = VideoInfo.newBuilder()
      .setWidth(176).setHeight(144).setFpsNum(30).setFpsDen(1).setFrameCount(60).setSource("demo:testsrc2").build();
  static final EncodeSettings SETTINGS = EncodeSettings.newBuilder().setCqLevel(32).setKfQWeight(0.75).build();

  /** Chunk {@code index} of 6-frame chunks in batches of {@code x}, {@code total} chunks. */
  static ChunkContext ctx(PipelineDef p, int index, int x, int total) {
    int n = 6;
    ChunkSpec chunk = ChunkSpec.newBuilder()
        .setIndex(index)
        .setFirstFrame((long) index * n)
        .setFrameCount(n)
        .setBatch(index / x)
        .setPositionInBatch(index % x)
        .setLastInBatch(index % x == x - 1 || index == total - 1)
        .build();
    return new ChunkContext("job1", p, VIDEO, chunk, SETTINGS, "file:///tmp/blobs", "127.0.0.1:7000");
  }

  static ChunkContext independent(int index) {
    return ctx(Pipelines.INDEPENDENT, index, 1, 10);
  }

  static ChunkContext xcHead() {
    return ctx(Pipelines.XC, 4, 4, 10);
  }

  static ChunkContext xcMiddle() {
    return ctx(Pipelines.XC, 5, 4, 10);
  }

  static ChunkContext xcLast() {
    return ctx(Pipelines.XC, 7, 4, 10);
  }

  static final Set<Artifact> RAW = Set.of(Artifact.ARTIFACT_RAW_CHUNK);
}
