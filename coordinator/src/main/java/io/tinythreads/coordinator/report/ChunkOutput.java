package io.tinythreads.coordinator.report;

/**
 * One chunk of the joined output, as the coordinator joined it.
 *
 * @param index 0-based chunk number
 * @param firstFrame global index of the chunk's first shown frame
 * @param frames shown frames in the chunk
 * @param bytes VP8 payload bytes of the chunk (hidden frames included, container overhead not)
 * @param keyframes keyframes in the chunk
 */
public record ChunkOutput(int index, long firstFrame, int frames, long bytes, int keyframes) {
  public ChunkOutput {
    if (index < 0 || firstFrame < 0 || frames < 0 || bytes < 0 || keyframes < 0) {
      throw new IllegalArgumentException("chunk output: negative field in " + index + "/" + firstFrame + "/" + frames
          + "/" + bytes + "/" + keyframes);
    }
  }
}
