package io.tinythreads.coordinator.job;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.report.ChunkOutput;
import io.tinythreads.fsm.BlobKeys;
import io.tinythreads.media.OutputWriter;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Concatenates the chunks' OUTPUT_CHUNK IVFs, in chunk order, into the output container, at a
 * temporary path; the caller renames it into place. Checks that each chunk holds exactly its
 * frames, so a short or overlong chunk fails the job instead of shifting the timeline.
 */
final class Joiner {
  /** What the join produced, with each chunk's share (for the job report). */
  record Joined(Path temp, long bytes, long frames, int keyframes, List<ChunkOutput> chunks) {}

  private Joiner() {}

  /**
   * @param stop checked between chunks; when true the join stops and deletes the temp file
   * @throws JoinException naming the chunk for bad chunk data
   */
  static Joined join(BlobStore blobs, String jobId, List<ChunkSpec> chunks, VideoInfo video, OutputTarget out,
      Path temp, BooleanSupplier stop) {
    long frames = 0;
    int keyframes = 0;
    List<ChunkOutput> perChunk = new ArrayList<>(chunks.size());
    boolean done = false;
    try {
      Files.deleteIfExists(temp);
      try (OutputWriter w = OutputWriter.open(temp, out.container(), video)) {
        for (ChunkSpec c : chunks) {
          if (stop.getAsBoolean()) {
            throw new JoinException("join stopped: the job is over");
          }
          String key = BlobKeys.key(jobId, c.getIndex(), Artifact.ARTIFACT_OUTPUT_CHUNK);
          byte[] ivf = blobs.get(key);
          List<IvfFrame> list;
          try (IvfReader r = new IvfReader(new ByteArrayInputStream(ivf), key)) {
            list = r.readAll();
          } catch (RuntimeException e) {
            throw new JoinException("chunk " + c.getIndex() + ": " + e.getMessage(), e);
          }
          int shown = 0;
          int chunkKeyframes = 0;
          long payload = 0;
          for (IvfFrame f : list) {
            byte[] d = f.data();
            if (d.length < 3) {
              throw new JoinException("chunk " + c.getIndex() + ": " + key + " holds a " + d.length + "-byte frame");
            }
            // RFC 6386 section 9.1, frame tag: bit 0 is 0 for a key frame, bit 4 is show_frame.
            boolean key0 = (d[0] & 0x01) == 0;
            boolean show = (d[0] & 0x10) != 0;
            // Chunk IVFs carry global frame indexes as pts (LibvpxEncoder), hidden alt-ref
            // frames included; OutputWriter decides how a container represents those.
            w.write(d, f.pts(), key0);
            payload += d.length;
            if (key0) {
              chunkKeyframes++;
            }
            if (show) {
              shown++;
            }
          }
          if (shown != c.getFrameCount()) {
            throw new JoinException("chunk " + c.getIndex() + ": " + key + " shows " + shown + " frames, expected "
                + c.getFrameCount());
          }
          frames += shown;
          keyframes += chunkKeyframes;
          perChunk.add(new ChunkOutput(c.getIndex(), c.getFirstFrame(), shown, payload, chunkKeyframes));
        }
      }
      done = true;
      return new Joined(temp, Files.size(temp), frames, keyframes, perChunk);
    } catch (IOException e) {
      throw new UncheckedIOException("join: writing " + temp + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        deleteQuietly(temp);
      }
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(Joiner.class).warn("could not delete {}: {}", p, e.toString());
    }
  }

  /** Bad chunk data found while joining. */
  static final class JoinException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JoinException(String message) {
      super(message);
    }

    JoinException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
