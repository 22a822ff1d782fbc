package io.tinythreads.media;

import io.tinythreads.proto.VideoInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds raw chunk files from demo: sources for tests. */
public final class TestChunks {
  private TestChunks() {}

  /** Reads {@code frames} frames of {@code demo} (skipping {@code skip}) into memory. */
  public static List<byte[]> frames(String demo, int skip, int frames) {
    List<byte[]> out = new ArrayList<>();
    try (VideoSource s = VideoSource.open(demo)) {
      byte[] buf = new byte[s.frameBytes()];
      for (int i = 0; i < skip + frames && s.read(buf); i++) {
        if (i >= skip) {
          out.add(buf.clone());
        }
      }
      if (out.size() != frames) {
        throw new AssertionError(demo + " gave " + out.size() + " frames, wanted " + frames);
      }
    }
    return out;
  }

  public static VideoInfo info(String demo) {
    try (VideoSource s = VideoSource.open(demo)) {
      return s.info();
    }
  }

  /** Writes frames [first, first+n) of a demo source as a raw chunk whose first global frame is {@code first}. */
  public static Path write(Path file, String demo, int first, int n) {
    RawChunks.write(file, info(demo), first, frames(demo, first, n));
    return file;
  }
}
