package io.tinythreads.media;

import io.tinythreads.proto.EncodeSettings;
import java.nio.file.Path;

/**
 * Encodes one raw chunk (see {@link RawChunks}) into an IVF of VP8 frames whose pts are global frame
 * indices. Implementations must be deterministic (same input and settings, same bytes) and put a
 * keyframe on the first frame and nowhere else.
 *
 * <p>Errors are unchecked: {@link MediaException} for a bad raw chunk or an encoder failure (the
 * message names the file and frame), {@link IllegalArgumentException} for settings out of range,
 * {@link java.io.UncheckedIOException} for local I/O, {@link java.util.concurrent.CancellationException}
 * when the progress callback aborted the encode.
 */
public interface Vp8ChunkEncoder {

  EncodedChunk encode(Path rawChunkY4m, EncodeSettings s, Path outIvf);

  /**
   * Same, reporting progress (0..1 over all passes) after every frame. The callback may throw
   * {@link java.util.concurrent.CancellationException} to abort the encode.
   */
  default EncodedChunk encode(Path rawChunkY4m, EncodeSettings s, Path outIvf, Progress progress) {
    return encode(rawChunkY4m, s, outIvf);
  }

  /** Progress callback: fraction of the whole encode done, 0..1. */
  @FunctionalInterface
  interface Progress {
    Progress NONE = fraction -> { };

    void update(double fraction);
  }
}
