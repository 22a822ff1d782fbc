package io.tinythreads.fsm;

import io.tinythreads.proto.ChunkSpec;

/** For which chunks of a batch a pipeline stage applies (ExCamera[N,x]: only non-heads re-encode). */
public enum When {
  ALWAYS,
  BATCH_HEAD,
  NOT_BATCH_HEAD;

  boolean applies(ChunkSpec chunk) {
    boolean head = chunk.getPositionInBatch() == 0;
    return switch (this) {
      case ALWAYS -> true;
      case BATCH_HEAD -> head;
      case NOT_BATCH_HEAD -> !head;
    };
  }
}
