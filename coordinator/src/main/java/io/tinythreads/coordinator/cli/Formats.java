package io.tinythreads.coordinator.cli;

import io.tinythreads.proto.JobResult;
import java.util.Locale;

/** Human-readable numbers for summaries and tables. */
final class Formats {
  private Formats() {}

  /** Bytes with a binary unit: 999 B, 12.3 KiB, 4.56 MiB, 1.20 GiB. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n / 1024.0;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }

  /**
   * The success line: {@code <output>: 24 frames (1 keyframe), 12.3 KiB, 102.4 kb/s, 1.23 s}.
   */
  static String summary(JobResult r, String fallbackOutput, double fallbackWallSeconds) {
    String out = r.getOutputUri().isEmpty() ? fallbackOutput : r.getOutputUri();
    double wall = r.getWallSeconds() > 0 ? r.getWallSeconds() : fallbackWallSeconds;
    return String.format(Locale.ROOT, "%s: %d frames (%d keyframe%s), %s, %.1f kb/s, %.2f s", out, r.getFrames(),
        r.getKeyframes(), r.getKeyframes() == 1 ? "" : "s", bytes(r.getOutputBytes()), r.getBitrateKbps(), wall);
  }
}
