package io.tinythreads.media;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The result of encoding one chunk.
 *
 * @param ivf the IVF written
 * @param firstFrame global index of the chunk's first frame (IVF pts start here)
 * @param framesWritten VP8 frames in the IVF, hidden alt-ref frames included
 * @param shownFrames frames with show_frame=1; always equals the raw chunk's frame count
 * @param keyframes keyframes among them (1 for a libvpx chunk)
 * @param bytes size of the IVF file in bytes
 * @param wallTime wall-clock time of the encode, all passes
 * @param cpuTime CPU time of the calling thread (where libvpx runs when threads=1)
 */
public record EncodedChunk(Path ivf, long firstFrame, int framesWritten, int shownFrames, int keyframes,
    long bytes, Duration wallTime, Duration cpuTime) {

  public int hiddenFrames() {
    return framesWritten - shownFrames;
  }
}
